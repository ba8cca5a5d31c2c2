// Migration 0009 on a database that already holds uploads: every row of an upload moves into
// pages of 1,000 row numbers, in order, with its item, and the export reads the same rows back.
import { randomBytes } from 'node:crypto';
import { Migrator } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { UploadRepository } from '../../src/db/upload.repository.js';
import { dropDatabase } from '../helpers/database.js';
import { tenantInput } from '../helpers/fixtures.js';
import { withDatabase } from '../helpers/postgres-global.js';

const adminUrl = () => inject('pgAdminUrl');
const name = `lanyard_mig_${randomBytes(6).toString('hex')}`;
let db: Db;

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await admin(`create database ${name}`);
  db = openDatabase(withDatabase(adminUrl(), name), { max: 3 });
});
afterAll(async () => {
  await db?.close();
  await dropDatabase(adminUrl(), name);
});

describe('migration 0009 (upload row pages)', () => {
  it("moves each upload's rows into pages, in order, and the export reads them back", async () => {
    const migrator = new Migrator({ db: db.db, provider: { getMigrations: async () => MIGRATIONS } });
    const before = await migrator.migrateTo('0008-upload-jobs');
    expect(before.error).toBeUndefined();
    const ring = KeyRing.parse(`k1:${randomBytes(32).toString('base64')}`);
    const tenant = await new TenantRepository(db.db, ring).create(tenantInput(1, 'secret'));
    const q = (text: string, values: unknown[]) => db.pool.query(text, values);
    const person = (
      await q(`insert into people (tenant_id, local_id) values ($1, 'P-1') returning id`, [tenant.id])
    ).rows[0].id as string;
    const upload = (
      await q(
        `insert into uploads (tenant_id, format, filename, uploaded_by, row_count, state)
         values ($1, 'affiliations-csv', 'old.csv', 'test', 2500, 'accepted') returning id`,
        [tenant.id],
      )
    ).rows[0].id as string;
    // 2,500 rows (2 to 2501), written in reverse order.
    for (let n = 2501; n >= 2; n--) {
      const item = (
        await q(
          `insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status, put_code)
           values ($1, $2, 'employment', $3, '{}', 'h', 'present', 'in_orcid', $4) returning id`,
          [tenant.id, person, `K-${n}`, n * 10],
        )
      ).rows[0].id as string;
      await q(`insert into upload_rows (upload_id, row_number, item_id, row) values ($1, $2, $3, $4)`, [
        upload,
        n,
        item,
        JSON.stringify({ local_id: 'P-1', source_key: `K-${n}` }),
      ]);
    }

    await migrateToLatest(db.db);
    const pages = await q(
      'select first_row, cardinality(source_keys) as n from upload_row_pages order by 1',
      [],
    );
    expect(pages.rows).toEqual([
      { first_row: 2, n: 998 },
      { first_row: 1000, n: 1000 },
      { first_row: 2000, n: 502 },
    ]);
    const rows = await new UploadRepository(db.db).rows(tenant.id, upload);
    expect(rows).toHaveLength(2500);
    expect(rows.map((r) => r.row_number)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 2));
    expect(rows[0]).toMatchObject({ row: { source_key: 'K-2' }, put_code: '20', status: 'in_orcid' });
    expect(rows[2499]).toMatchObject({ row: { source_key: 'K-2501' }, put_code: '25010' });
    const tables = (await db.db.introspection.getTables()).map((t) => t.name);
    expect(tables).not.toContain('upload_rows');
    expect(tables).not.toContain('upload_staging');
  }, 120_000);
});
