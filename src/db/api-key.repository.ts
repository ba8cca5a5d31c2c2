// API keys: shown once when made, stored as SHA-256 only; a key names its tenant.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256 } from './oauth-state.repository.js';
import type { Database } from './schema.js';

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

  /** The tenant a live key belongs to (and notes its use), or null. */
  async tenantOf(key: string): Promise<string | null> {
    const row = await this.db
      .updateTable('api_keys')
      .set({ last_used_at: new Date() })
      .where('key_hash', '=', sha256(key))
      .where('revoked_at', 'is', null)
      .returning('tenant_id')
      .executeTakeFirst();
    return row?.tenant_id ?? null;
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
