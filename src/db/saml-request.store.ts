// Outstanding SAML AuthnRequest ids in PostgreSQL (node-saml's cache provider interface), so a
// response is accepted only for a request we sent, once, within ten minutes, on any web process.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export const SAML_REQUEST_TTL_MS = 10 * 60 * 1000;

export class SamlRequestStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saveAsync(key: string, value: string): Promise<{ value: string; createdAt: number } | null> {
    const row = await this.db
      .insertInto('saml_requests')
      .values({ id: key, value })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning(['value', 'created_at'])
      .executeTakeFirst();
    return row ? { value: row.value, createdAt: new Date(row.created_at).getTime() } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('saml_requests')
      .select('value')
      .where('id', '=', key)
      .where('created_at', '>', new Date(Date.now() - SAML_REQUEST_TTL_MS))
      .executeTakeFirst();
    return row?.value ?? null;
  }

  /** Requests never answered are of no use after a day. */
  async purge(): Promise<number> {
    const r = await this.db
      .deleteFrom('saml_requests')
      .where('created_at', '<', new Date(Date.now() - 24 * 3600 * 1000))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const row = await this.db
      .deleteFrom('saml_requests')
      .where('id', '=', key)
      .returning('value')
      .executeTakeFirst();
    return row?.value ?? null;
  }
}
