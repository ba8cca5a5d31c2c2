// One vocabulary: the item statuses the code knows (src/domain/item.ts) are exactly those the
// database accepts, so a status added on one side only fails here rather than on a write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_STATUSES } from '../../src/domain/item.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('item statuses', () => {
  it("are the ones the items table's check constraint allows, no more and no fewer", async () => {
    const r = await db.pool.query<{ def: string }>(
      `select pg_get_constraintdef(c.oid) as def from pg_constraint c
       where c.conrelid = 'items'::regclass and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%status%'
         and pg_get_constraintdef(c.oid) not like '%desired_state%'`,
    );
    expect(r.rows).toHaveLength(1);
    const allowed = [...r.rows[0]!.def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]);
    expect(new Set(allowed)).toEqual(new Set(ITEM_STATUSES));
    expect(allowed).toHaveLength(ITEM_STATUSES.length);
  });
});
