// A person's page must not read more of the database as the organisation's items grow inside
// another transaction. The page's prepared statement keeps a plan made while the organisation had
// few items: it scans all of them (there are few, so a scan is cheapest). An upload's hundreds of
// thousands of uncommitted rows, which no statistics show, then made every portal page read them;
// the upload refreshes the items' statistics once it has stated enough, and the plan is made anew.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { PortalViewRepository } from '../../src/db/portal-view.repository.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { UploadStatingRepository } from '../../src/db/upload-stating.repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tenantInput } from '../helpers/fixtures.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe("a person's portal page", () => {
  it('reads a few pages, not the items an upload is adding, once the upload has refreshed their statistics', async () => {
    const ring = KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`);
    const tenant = await new TenantRepository(db.db, ring).create(tenantInput(1, 'secret'));
    const person = async (localId: string) =>
      (
        await db.pool.query<{ id: string }>(
          'insert into people (tenant_id, local_id) values ($1, $2) returning id',
          [tenant.id, localId],
        )
      ).rows[0]!.id;
    const ada = await person('ADA');
    const other = await person('OTHER');
    const insertItems = `insert into items (tenant_id, person_id, source_key, section, payload,
        content_hash, desired_state, status)
      select $1, $2, $3 || g, 'employment', '{"role-title": "Role"}', 'h', 'present', 'pending'
      from generate_series(1, $4::int) g`;
    await db.pool.query(insertItems, [tenant.id, ada, 'ada-', 2]);
    await db.pool.query('analyze items');

    const upload: pg.PoolClient = await db.pool.connect();
    const page: pg.PoolClient = await db.pool.connect();
    // The repository as the web runs it, on one connection whose reads can be counted.
    const views = new PortalViewRepository({ pool: page as unknown as pg.Pool });
    try {
      // Pages shown while the organisation has two items (a plan cache would keep their plan).
      for (let i = 0; i < 10; i++) expect((await views.forPerson(tenant.id, ada))?.items).toHaveLength(2);
      // An upload in progress: 20,000 items of another person, not yet committed.
      await upload.query('begin');
      await upload.query(insertItems, [tenant.id, other, 'up-', 20_000]);

      // Pages of items and their indexes this connection reads for one page (the counter adds up
      // until the server collects it, so it is read before and after).
      const blocksRead = async () => {
        const fetched = async () =>
          (
            await page.query<{ blocks: number }>(
              `select sum(pg_stat_get_xact_blocks_fetched(c.oid))::int as blocks from pg_class c
               where c.oid = 'items'::regclass
                  or c.oid in (select indexrelid from pg_index where indrelid = 'items'::regclass)`,
            )
          ).rows[0]!.blocks;
        await page.query('begin');
        const before = await fetched();
        const view = await views.forPerson(tenant.id, ada);
        const after = await fetched();
        await page.query('commit');
        expect(view?.items.map((i) => i.label)).toEqual(['Role', 'Role']);
        return after - before;
      };
      // The kept plan reads the other person's 20,000 rows: several hundred pages.
      expect(await blocksRead()).toBeGreaterThan(300);
      // What the upload job does once it has stated 20,000 rows.
      await new UploadStatingRepository(db.db).refreshItemStatistics();
      // Her items and the index pages leading to them.
      expect(await blocksRead()).toBeLessThan(30);
    } finally {
      await upload.query('rollback');
      upload.release();
      page.release();
    }
  });
});
