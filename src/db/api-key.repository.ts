// API keys: shown once when made, stored as SHA-256 only; a key names its tenant.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256 } from './oauth-state.repository.js';
import type { Database } from './schema.js';

const LAST_USE_PRECISION_MS = 60_000;

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new key for the tenant; the returned secret is never stored or shown again. */
  async create(tenantId: string, name: string): Promise<{ id: string; key: string }> {
    const key = `lk_${randomBytes(32).toString('base64url')}`;
    const row = await this.db
      .insertInto('api_keys')
      .values({ tenant_id: tenantId, name, prefix: key.slice(0, 10), key_hash: sha256(key) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, key };
  }

  /**
   * The tenant a live key belongs to, or null; with the key's id (its rate-limit bucket). Its
   * last use is written at most once a minute, so that a busy integration does not turn every
   * call into a write of the same row.
   */
  async tenantOf(key: string): Promise<{ tenantId: string; keyId: string } | null> {
    const hash = sha256(key);
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'tenant_id', 'last_used_at'])
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    const minuteAgo = new Date(Date.now() - LAST_USE_PRECISION_MS);
    if (!row.last_used_at || row.last_used_at < minuteAgo)
      await this.db
        .updateTable('api_keys')
        .set({ last_used_at: new Date() })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', minuteAgo)]))
        .execute();
    return { tenantId: row.tenant_id, keyId: row.id };
  }

  /** The tenant's keys, newest first: name, the key's first characters, made, last used, revoked. */
  list(tenantId: string) {
    return this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
