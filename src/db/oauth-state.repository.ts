// OAuth `state` for linking an iD (DESIGN §7): 256 random bits, single use, bound to the session
// and the person, ten minutes. Only its SHA-256 is stored. A state sent in an ORCID inbox request
// is bound to the person and the iD asked instead of a session, and lives 30 days: the researcher
// answers from their inbox whenever they read it, signed in here or not.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OauthStatesTable } from './schema.js';

export const STATE_TTL_MS = 10 * 60 * 1000;
export const INBOX_STATE_TTL_MS = 30 * 24 * 3600 * 1000;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export type OauthState = Selectable<OauthStatesTable>;

export type StateCheck =
  | { ok: true; state: OauthState }
  | { ok: false; reason: 'unknown' | 'replayed' | 'expired' | 'foreign' };

export class OauthStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A state for the person's session (the portal's Connect). */
  create(s: { tenantId: string; personId: string; sessionId: string; scope: string; nonce: string | null }) {
    return this.insert(s, STATE_TTL_MS, { session_hash: sha256(s.sessionId), nonce: s.nonce });
  }

  /** A state for an ORCID inbox request to `orcid`, for the person (no session). */
  createForInbox(s: { tenantId: string; personId: string; orcid: string; scope: string }) {
    return this.insert(s, INBOX_STATE_TTL_MS, {
      // Bound to no session: a hash of nothing any session id can be.
      session_hash: sha256(randomBytes(32).toString('base64url')),
      nonce: null,
      origin: 'orcid_inbox',
      expected_orcid: s.orcid,
    });
  }

  private async insert(
    s: { tenantId: string; personId: string; scope: string },
    ttlMs: number,
    o: { session_hash: string; nonce: string | null; origin?: 'orcid_inbox'; expected_orcid?: string },
  ): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('oauth_states')
      .values({
        ...o,
        state_hash: sha256(state),
        tenant_id: s.tenantId,
        person_id: s.personId,
        scope: s.scope,
        expires_at: new Date(Date.now() + ttlMs),
      })
      .execute();
    return state;
  }

  /**
   * Uses the state up (whatever the outcome, it can never be used again) and says whether it
   * belongs to this tenant and is still fresh, and, unless it came with an inbox request, to
   * this session and person (`who`; null when nobody is signed in).
   */
  async consume(
    state: string,
    expect: { tenantId: string; who: { sessionId: string; personId: string } | null },
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
    const { who } = expect;
    const sessionOk =
      row.origin === 'orcid_inbox' ||
      (who !== null && row.session_hash === sha256(who.sessionId) && row.person_id === who.personId);
    if (row.tenant_id !== expect.tenantId || !sessionOk) return { ok: false, reason: 'foreign' };
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
