// `lanyard migrate` and `lanyard keys rotate` as an operator runs them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { sealedKeyId } from '../../src/crypto/seal.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { lanyard } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tenantInput } from '../helpers/fixtures.js';

describe('lanyard keys rotate with LANYARD_KEYS (external database)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await freshDatabase();
  });
  afterAll(() => tdb.drop());

  it('re-seals every secret with the first key of LANYARD_KEYS', async () => {
    const old = KeyRing.parse(`old:${randomBytes(32).toString('base64')}`);
    const repo = new TenantRepository(tdb.db, old);
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push({ t: await repo.create(tenantInput(i, `s-${i}`)), secret: `s-${i}` });
    const ring = old.withNewKey('fresh');
    const run = await lanyard(['keys', 'rotate'], { DATABASE_URL: tdb.url, LANYARD_KEYS: ring.format() });
    expect(run.out).toContain('done: 5 values now sealed with fresh');
    expect(run.code).toBe(0);
    const rows = await tdb.db.selectFrom('tenants').select('client_secret_sealed').execute();
    expect(rows.map((r) => sealedKeyId(r.client_secret_sealed))).toEqual(Array(5).fill('fresh'));
    const reader = new TenantRepository(tdb.db, new KeyRing([ring.current]));
    for (const c of created) expect(await reader.clientSecret(c.t.id)).toBe(c.secret);
    // The installation's audit entry (no organisation's).
    const audit = await tdb.db
      .selectFrom('audit_log')
      .select(['tenant_id', 'actor', 'action', 'subject', 'details'])
      .where('action', 'like', 'keys.%')
      .execute();
    expect(audit).toEqual([
      {
        tenant_id: null,
        actor: 'cli',
        action: 'keys.rotated',
        subject: 'fresh',
        details: { resealed: 5, remaining: false },
      },
    ]);
  });
});

describe('embedded mode', () => {
  it('migrate starts embedded PostgreSQL and creates a 0600 key file; rotate adds a key and re-seals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-cli-'));
    const env = {
      LANYARD_DATA_DIR: dir,
      LANYARD_EMBEDDED_PG_PORT: String(55000 + Math.floor(Math.random() * 1000)),
    };
    const migrate = await lanyard(['migrate'], env);
    expect(migrate.out).toContain('database is at the latest migration');
    expect(migrate.code).toBe(0);
    const keyFile = join(dir, 'keys');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'pg-credentials.json')).mode & 0o777).toBe(0o600);
    const before = KeyRing.parse(readFileSync(keyFile, 'utf8').trim());

    const rotate = await lanyard(['keys', 'rotate'], env);
    expect(rotate.code, rotate.out).toBe(0);
    const after = KeyRing.parse(readFileSync(keyFile, 'utf8').trim());
    expect(after.keys).toHaveLength(2);
    expect(after.keys[1]!.id).toBe(before.current.id);
    expect(rotate.out).toContain(`now sealed with ${after.current.id}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad LANYARD_KEYS stops the command with a clear message', async () => {
    const tdb = await freshDatabase();
    try {
      const run = await lanyard(['migrate'], { DATABASE_URL: tdb.url, LANYARD_KEYS: 'k1:dG9vLXNob3J0' });
      expect(run.code).toBe(1);
      expect(run.out).toMatch(/32 bytes/);
    } finally {
      await tdb.drop();
    }
  });
});
