// The call log's retention with 1,000,000 calls, 900,000 of them past the retention period: they
// are deleted in statements of at most 10,000 (each its own short transaction), oldest first, the
// recent ones kept; calls logged while the purge runs are stored, none lost or held back to its end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrcidCallRepository } from '../../src/db/orcid-call.repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

const OLD = 900_000;
const RECENT = 100_000;

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await freshDatabase();
  await tdb.pool.query(
    `insert into orcid_calls (method, url, status, duration_ms, response_body, created_at)
     select 'GET', 'https://api.orcid.org/v3.0/0000-0002-1825-0097/record', 200, 40, repeat('x', 200),
       now() - interval '200 days' + g * interval '1 second'
     from generate_series(1, $1) g`,
    [OLD],
  );
  await tdb.pool.query(
    `insert into orcid_calls (method, url, status, duration_ms, response_body, created_at)
     select 'POST', 'https://api.orcid.org/v3.0/0000-0002-1825-0097/work', 201, 60, repeat('y', 200),
       now() - interval '10 days' + g * interval '1 second'
     from generate_series(1, $1) g`,
    [RECENT],
  );
  await tdb.pool.query('analyze orcid_calls');
}, 180_000);
afterAll(async () => {
  await tdb?.drop();
});

describe('the call log retention with 1,000,000 calls', () => {
  it('deletes the old ones in batches of at most 10,000, keeps the recent ones and those logged meanwhile', async () => {
    const calls = new OrcidCallRepository(tdb.db);
    const progress: number[] = [];
    let purging = true;
    // Calls keep being logged while the purge runs.
    const logged = (async () => {
      let n = 0;
      while (purging) {
        await calls.record({
          tenantId: null,
          orcid: null,
          method: 'GET',
          url: 'https://api.orcid.org/v3.0/0000-0002-1825-0097/record',
          requestBody: null,
          status: 200,
          responseBody: null,
          errorCode: null,
          error: null,
          durationMs: 1,
          attempt: 1,
        });
        n++;
        await new Promise((r) => setTimeout(r, 20));
      }
      return n;
    })();
    const started = performance.now();
    const r = await calls.purgeOlderThan(90, { onBatch: (deleted) => progress.push(deleted) });
    const seconds = (performance.now() - started) / 1000;
    purging = false;
    const loggedMeanwhile = await logged;
    console.log(
      JSON.stringify({
        deleted: r.deleted,
        batches: r.batches,
        seconds: Math.round(seconds * 10) / 10,
        loggedMeanwhile,
      }),
    );

    expect(r).toEqual({ deleted: OLD, batches: OLD / 10_000 });
    // Progress in steps of at most 10,000.
    expect(progress).toHaveLength(OLD / 10_000);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]! - progress[i - 1]!).toBeLessThanOrEqual(10_000);
    const { rows } = await tdb.pool.query<{ old: string; recent: string }>(
      `select count(*) filter (where created_at < now() - interval '90 days') as old,
              count(*) filter (where created_at >= now() - interval '90 days') as recent from orcid_calls`,
    );
    expect(Number(rows[0]!.old)).toBe(0);
    expect(Number(rows[0]!.recent)).toBe(RECENT + loggedMeanwhile);
    expect(loggedMeanwhile).toBeGreaterThan(0);
  }, 180_000);
});
