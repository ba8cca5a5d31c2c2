// Uploads state items with set-based SQL (lanyard_status_after_upsert, migration 0008); the API
// and the write path use statusAfterUpsert in TypeScript. Every combination of what matters to
// either must get the same answer from both, or an upload would leave an item in another status
// than the API would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_STATUSES, statusAfterUpsert } from '../../src/domain/item.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('lanyard_status_after_upsert', () => {
  it('answers as statusAfterUpsert for every existing status, hash, desired state, put code, written hash and link', async () => {
    const statuses = [null, ...ITEM_STATUSES];
    const cases: Array<{
      existing: Parameters<typeof statusAfterUpsert>[0];
      next: { content_hash: string; desired_state: 'present' | 'absent' };
      connected: boolean;
    }> = [];
    for (const status of statuses)
      for (const sameHash of [true, false])
        for (const existingDesired of ['present', 'absent'] as const)
          for (const nextDesired of ['present', 'absent'] as const)
            for (const putCode of [null, 7])
              for (const written of [null, 'old', 'new'])
                for (const connected of [true, false])
                  cases.push({
                    existing: status
                      ? {
                          status,
                          content_hash: sameHash ? 'new' : 'old',
                          desired_state: existingDesired,
                          put_code: putCode,
                          written_hash: written,
                        }
                      : null,
                    next: { content_hash: 'new', desired_state: nextDesired },
                    connected,
                  });
    const col = <T>(f: (c: (typeof cases)[number]) => T) => cases.map(f);
    const { rows } = await db.pool.query<{ status: string }>(
      `select lanyard_status_after_upsert(s, h, d, p, w, nh, nd, c) as status
       from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::boolean[])
         with ordinality as t(s, h, d, p, w, nh, nd, c, n)
       order by n`,
      [
        col((c) => c.existing?.status ?? null),
        col((c) => c.existing?.content_hash ?? null),
        col((c) => c.existing?.desired_state ?? null),
        col((c) => c.existing?.put_code ?? null),
        col((c) => c.existing?.written_hash ?? null),
        col((c) => c.next.content_hash),
        col((c) => c.next.desired_state),
        col((c) => c.connected),
      ],
    );
    expect(rows).toHaveLength(cases.length);
    const differing = cases.filter(
      (c, i) => statusAfterUpsert(c.existing, c.next, c.connected) !== rows[i]!.status,
    );
    expect(differing).toEqual([]);
    expect(cases.length).toBeGreaterThan(1000);
  });
});
