// OAuth `state` for linking an iD (DESIGN §7): 256 random bits, single use, bound to the session
// and the person, ten minutes. Only its SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OauthStatesTable } from './schema.js';

export const STATE_TTL_MS = 10 * 60 * 1000;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export type OauthState = Selectable<OauthStatesTable>;

export type StateCheck =
  | { ok: true; state: OauthState }
  | { ok: false; reason: 'unknown' | 'replayed' | 'expired' | 'foreign' };

export class OauthStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: {
    tenantId: string;
    personId: string;
    sessionId: string;
    scope: string;
    nonce: string | null;
  }): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('oauth_states')
      .values({
        state_hash: sha256(state),
        tenant_id: s.tenantId,
        person_id: s.personId,
        session_hash: sha256(s.sessionId),
        nonce: s.nonce,
        scope: s.scope,
        expires_at: new Date(Date.now() + STATE_TTL_MS),
      })
      .execute();
    return state;
  }

  /**
   * Uses the state up (whatever the outcome, it can never be used again) and says whether it
   * belongs to this tenant, session and person and is still fresh.
   */
  async consume(
    state: string,
    expect: { tenantId: string; sessionId: string; personId: string },
  ): Promise<StateCheck> {
    const hash = sha256(state);
    const row = await this.db
      .updateTable('oauth_states')
      .set({ used_at: new Date() })
      .where('state_hash', '=', hash)
      .where('used_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const seen = await this.db
        .selectFrom('oauth_states')
        .select('state_hash')
        .where('state_hash', '=', hash)
        .executeTakeFirst();
      return { ok: false, reason: seen ? 'replayed' : 'unknown' };
    }
    if (
      row.tenant_id !== expect.tenantId ||
      row.session_hash !== sha256(expect.sessionId) ||
      row.person_id !== expect.personId
    )
      return { ok: false, reason: 'foreign' };
    if (new Date(row.expires_at).getTime() < Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, state: row };
  }

  /** Used or expired states older than a day are of no further use. */
  async purge(): Promise<number> {
    const r = await this.db
      .deleteFrom('oauth_states')
      .where('expires_at', '<', new Date(Date.now() - 24 * 3600 * 1000))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
