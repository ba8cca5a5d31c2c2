// The platform core against a real PostgreSQL: migrations, sealed secrets, key rotation that can
// be interrupted and resumed, and a database dump that holds no secret.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { resealAll } from '../../src/crypto/rotate.js';
import { sealedKeyId } from '../../src/crypto/seal.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { SealedValuesRepository } from '../../src/db/sealed-values.repository.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tenantInput } from '../helpers/fixtures.js';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await freshDatabase();
});
afterAll(() => tdb.drop());

const ringOf = (id: string) => KeyRing.parse(`${id}:${randomBytes(32).toString('base64')}`);

describe('migrations', () => {
  it('are applied to the template and running them again changes nothing', async () => {
    expect(await migrateToLatest(tdb.db)).toEqual([]);
    const tables = await tdb.db.introspection.getTables();
    const tenants = tables.find((t) => t.name === 'tenants')!;
    expect(tenants.columns.find((c) => c.name === 'orcid_wire_format')?.hasDefaultValue).toBe(true);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['tenants', 'orcid_calls', 'orcid_rate_limits']),
    );
  });
});

describe('sealed client secrets', () => {
  it('are stored sealed and opened only with the key ring', async () => {
    const ring = ringOf('k1');
    const repo = new TenantRepository(tdb.db, ring);
    const t = await repo.create(tenantInput(1, 'secret-one-1c2f'));
    const raw = await tdb.db
      .selectFrom('tenants')
      .select('client_secret_sealed')
      .where('id', '=', t.id)
      .executeTakeFirstOrThrow();
    expect(raw.client_secret_sealed).not.toContain('secret-one-1c2f');
    expect(sealedKeyId(raw.client_secret_sealed)).toBe('k1');
    expect(await repo.clientSecret(t.id)).toBe('secret-one-1c2f');
    await expect(new TenantRepository(tdb.db, ringOf('k9')).clientSecret(t.id)).rejects.toThrow(/"k1"/);
  });

  it('a sealed value copied to another row does not open (AAD binds the row)', async () => {
    const ring = ringOf('k1');
    const repo = new TenantRepository(tdb.db, ring);
    const a = await repo.create(tenantInput(2, 'secret-a'));
    const b = await repo.create(tenantInput(3, 'secret-b'));
    const sealedA = await tdb.db
      .selectFrom('tenants')
      .select('client_secret_sealed')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    await tdb.db
      .updateTable('tenants')
      .set({ client_secret_sealed: sealedA.client_secret_sealed })
      .where('id', '=', b.id)
      .execute();
    await expect(repo.clientSecret(b.id)).rejects.toThrow(/did not authenticate/);
  });
});

describe('key rotation', () => {
  it('re-seals everything under the new key; interrupted half-way and resumed, nothing is lost', async () => {
    const db = await freshDatabase();
    try {
      const oldRing = ringOf('old');
      const repo = new TenantRepository(db.db, oldRing);
      const secrets = new Map<string, string>();
      for (let i = 0; i < 60; i++) {
        const secret = `secret-${i}-${randomBytes(4).toString('hex')}`;
        const t = await repo.create(tenantInput(i, secret));
        secrets.set(t.id, secret);
      }
      const ring = oldRing.withNewKey('new');
      const store = new SealedValuesRepository(db.db);
      const controller = new AbortController();
      let seen = 0;
      const first = await resealAll(ring, store, {
        batch: 7,
        signal: controller.signal,
        onProgress: (_c, n) => {
          seen = n;
          if (n >= 21) controller.abort();
        },
      });
      expect(first.remaining).toBe(true);
      expect(seen).toBeGreaterThanOrEqual(21);
      const keyIds = async () =>
        (await db.db.selectFrom('tenants').select('client_secret_sealed').execute()).map((r) =>
          sealedKeyId(r.client_secret_sealed),
        );
      const mid = await keyIds();
      expect(mid.filter((k) => k === 'new').length).toBe(first.resealed);
      expect(mid.filter((k) => k === 'old').length).toBe(60 - first.resealed);
      // Every value opens in the middle of a rotation.
      const reader = new TenantRepository(db.db, ring);
      for (const [id, secret] of secrets) expect(await reader.clientSecret(id)).toBe(secret);

      const second = await resealAll(ring, store, { batch: 7 });
      expect(second).toEqual({ resealed: 60 - first.resealed, remaining: false });
      expect(new Set(await keyIds())).toEqual(new Set(['new']));
      // The old key can now go: the new ring alone opens everything.
      const newOnly = new KeyRing([ring.current]);
      for (const [id, secret] of secrets)
        expect(await new TenantRepository(db.db, newOnly).clientSecret(id)).toBe(secret);
      expect((await resealAll(ring, store)).resealed).toBe(0);
    } finally {
      await db.drop();
    }
  });
});

describe('a database dump', () => {
  it('contains none of the secrets (pg_dump)', async () => {
    const ring = ringOf('k1');
    const repo = new TenantRepository(tdb.db, ring);
    const secrets = Array.from({ length: 5 }, (_, i) => `dump-secret-${i}-${randomBytes(8).toString('hex')}`);
    for (const [i, s] of secrets.entries()) await repo.create(tenantInput(100 + i, s));
    const dump = execFileSync('pg_dump', ['--data-only', tdb.url], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain('client_secret_sealed');
    for (const s of secrets) expect(dump).not.toContain(s);
    expect(dump).not.toContain(ring.current.key.toString('base64'));
  });
});
