// Connecting a person's ORCID iD (Authenticate): start the OAuth flow with a state bound to the
// session and the person, and complete it on the callback: state checked and used up, code
// exchanged at once, id_token verified, wrong accounts refused (and their new token revoked),
// the token response stored sealed, the record read once. Every outcome is recorded.
import { randomBytes } from 'node:crypto';
import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type { OauthStateRepository } from '../db/oauth-state.repository.js';
import type { OrcidLink, OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Person } from '../db/person.repository.js';
import type { AuthorizeOutcome, PortalLogRepository } from '../db/portal-log.repository.js';
import type { SnapshotRepository } from '../db/snapshot.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import type { RecordSummary } from '../domain/record-summary.js';
import { scopesCover } from '../domain/tenant.js';
import type { Logger } from '../logger.js';
import { OrcidError } from '../orcid/errors.js';
import type { TokenResponse } from '../orcid/oauth.js';
import type { OrcidClients } from './orcid-clients.js';
import type { EventPublisher, RecordSyncQueue, WebhookQueue } from './ports.js';

export interface ConnectDeps {
  links: OrcidLinkRepository;
  states: OauthStateRepository;
  snapshots: SnapshotRepository;
  log: PortalLogRepository;
  orcid: OrcidClients;
  logger: Logger;
  /** Called once a person holds a valid link to `orcid` (e.g. to queue the items waiting for it). */
  afterConnect?: (tenantId: string, personId: string, orcid: string) => Promise<void>;
  /** The change feed notes the connection. */
  records: CollectedRecordRepository;
  /** The record is collected by the worker once connected. */
  recordSync: RecordSyncQueue;
  /** Where the tenant has webhooks, the link is subscribed by the worker. */
  webhooks: WebhookQueue;
  events: EventPublisher;
}

export type StartResult = { kind: 'already-connected'; link: OrcidLink } | { kind: 'redirect'; url: string };

/** Why a connection did not happen; each has its own explanation page. */
export type ConnectProblem =
  | 'denied'
  | 'orcid_error'
  | 'state_invalid'
  | 'missing_code'
  | 'exchange_failed'
  | 'id_token_invalid'
  | 'person_has_other_id'
  | 'id_linked_elsewhere'
  | 'inbox_other_id';

export type CompleteResult =
  | { ok: true; link: OrcidLink; summary: RecordSummary | null }
  | { ok: false; problem: ConnectProblem; orcid?: string };

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

const OUTCOME: Record<ConnectProblem, AuthorizeOutcome> = {
  denied: 'denied',
  orcid_error: 'orcid_error',
  state_invalid: 'state_invalid',
  missing_code: 'orcid_error',
  exchange_failed: 'exchange_failed',
  id_token_invalid: 'id_token_invalid',
  person_has_other_id: 'wrong_account',
  id_linked_elsewhere: 'wrong_account',
  inbox_other_id: 'wrong_account',
};

export class ConnectOrcidService {
  constructor(private readonly d: ConnectDeps) {}

  /**
   * Where to send the researcher: nowhere when a valid link already covers the scopes asked,
   * else ORCID's authorize page (prompt=login, so another ORCID session cannot slip in).
   */
  async start(tenant: Tenant, person: Person, sessionId: string, lang: string): Promise<StartResult> {
    const existing = await this.d.links.activeFor(tenant.id, person.id);
    if (
      existing &&
      new Date(existing.expires_at) > new Date() &&
      scopesCover(existing.scope, tenant.scopes)
    ) {
      await this.d.log.authorization({
        tenantId: tenant.id,
        personId: person.id,
        outcome: 'already_connected',
        orcid: existing.orcid,
        scope: existing.scope,
      });
      return { kind: 'already-connected', link: existing };
    }
    const nonce = /(^|\s)openid(\s|$)/.test(tenant.scopes) ? randomBytes(16).toString('base64url') : null;
    const state = await this.d.states.create({
      tenantId: tenant.id,
      personId: person.id,
      sessionId,
      scope: tenant.scopes,
      nonce,
    });
    const { oauth } = await this.d.orcid.for(tenant);
    await this.d.log.authorization({
      tenantId: tenant.id,
      personId: person.id,
      outcome: 'started',
      scope: tenant.scopes,
    });
    return {
      kind: 'redirect',
      url: oauth.authorizeUrl({
        scope: tenant.scopes,
        redirectUri: tenant.redirect_uri,
        state,
        prompt: 'login',
        lang,
        ...(nonce ? { nonce } : {}),
        ...(person.email ? { email: person.email } : {}),
        ...(person.given_names ? { givenNames: person.given_names } : {}),
        ...(person.family_name ? { familyNames: person.family_name } : {}),
      }),
    };
  }

  /**
   * ORCID's callback. `who` is the person signed in in this browser (null if nobody is): a
   * state started in the portal must belong to them; one sent with an ORCID inbox request names
   * its person itself, and the grant must then be for the iD the request went to.
   */
  async complete(
    tenant: Tenant,
    who: { personId: string; sessionId: string } | null,
    q: CallbackQuery,
  ): Promise<CompleteResult> {
    let personId = who?.personId ?? null;
    const fail = async (
      problem: ConnectProblem,
      detail?: string,
      orcid?: string,
    ): Promise<CompleteResult> => {
      await this.d.log.authorization({
        tenantId: tenant.id,
        personId,
        outcome: OUTCOME[problem],
        orcid: orcid ?? null,
        detail: detail ?? null,
      });
      return { ok: false, problem, ...(orcid ? { orcid } : {}) };
    };

    // The state first: nothing ORCID sent is trusted before it is known to answer our request.
    // A visitor signed in nowhere with a state we never issued leaves no trace.
    const unknown: CompleteResult = { ok: false, problem: 'state_invalid' };
    if (!q.state) return who ? fail('state_invalid', 'no state') : unknown;
    const check = await this.d.states.consume(q.state, { tenantId: tenant.id, who });
    if (!check.ok) return !who && check.reason === 'unknown' ? unknown : fail('state_invalid', check.reason);
    personId = check.state.person_id;
    if (q.error === 'access_denied') return fail('denied', q.error_description);
    if (q.error) return fail('orcid_error', `${q.error}: ${q.error_description ?? ''}`.trim());
    if (!q.code) return fail('missing_code');

    const { oauth, api } = await this.d.orcid.for(tenant);
    let token: TokenResponse;
    try {
      token = await oauth.exchangeCode(q.code, tenant.redirect_uri);
    } catch (e) {
      return fail('exchange_failed', e instanceof Error ? e.message : String(e));
    }
    if (!token.orcid) {
      await this.revokeQuietly(tenant, token);
      return fail('exchange_failed', 'the token response names no iD');
    }
    if (token.id_token) {
      try {
        const claims = await oauth.verifyIdToken(token.id_token, {
          ...(check.state.nonce ? { nonce: check.state.nonce } : {}),
          accessToken: token.access_token,
        });
        if (claims.sub !== token.orcid) throw new Error('id_token subject is not the token iD');
      } catch (e) {
        await this.revokeQuietly(tenant, token);
        return fail('id_token_invalid', e instanceof Error ? e.message : String(e), token.orcid);
      }
    }

    // Wrong account: never switch a person's iD silently, never share an iD between people, and
    // an inbox request is answered by the iD it was sent to.
    const expected = check.state.expected_orcid;
    if (expected && expected !== token.orcid) {
      await this.revokeQuietly(tenant, token);
      return fail('inbox_other_id', `the inbox request went to ${expected}`, token.orcid);
    }
    const mine = await this.d.links.activeFor(tenant.id, personId);
    if (mine && mine.orcid !== token.orcid) {
      await this.revokeQuietly(tenant, token);
      return fail('person_has_other_id', `linked to ${mine.orcid}`, token.orcid);
    }
    const theirs = await this.d.links.activeByOrcid(tenant.id, token.orcid);
    if (theirs && theirs.person_id !== personId) {
      await this.revokeQuietly(tenant, token);
      return fail('id_linked_elsewhere', undefined, token.orcid);
    }

    let link: OrcidLink;
    if (mine) {
      // Same iD, wider permissions: keep the link, hold the new token, revoke the old one.
      const old = await this.d.links.replaceToken(tenant.id, mine.id, token);
      if (old && old.access_token !== token.access_token) await this.revokeQuietly(tenant, old);
      link = (await this.d.links.activeFor(tenant.id, personId))!;
    } else {
      try {
        link = await this.d.links.create(tenant.id, personId, token);
      } catch (e) {
        // Two callbacks raced and the other won the unique index: treat as linked elsewhere.
        await this.revokeQuietly(tenant, token);
        this.d.logger.warn({ err: e }, 'link insert refused');
        return fail('id_linked_elsewhere', 'concurrent link', token.orcid);
      }
    }
    await this.d.log.authorization({
      tenantId: tenant.id,
      personId: personId,
      outcome: 'granted',
      orcid: token.orcid,
      scope: token.scope,
    });
    await this.d.log.audit({
      tenantId: tenant.id,
      actor: `person:${personId}`,
      action: 'orcid.connect',
      subject: token.orcid,
      details: { scope: token.scope },
    });

    try {
      await this.d.afterConnect?.(tenant.id, personId, token.orcid);
      await this.d.records.note(
        { tenantId: tenant.id, linkId: link.id, personId: personId, orcid: token.orcid },
        [{ kind: 'link.connected', detail: { scope: token.scope } }],
      );
      await this.d.recordSync.enqueueSync(tenant.id, link.id, 'connected');
      if (tenant.sync_settings.webhooks)
        await this.d.webhooks.enqueueWebhook(tenant.id, link.id, 'subscribe');
      await this.d.events.publish(
        tenant.id,
        'person.connected',
        { orcid: token.orcid, scopes: token.scope.split(/\s+/).filter(Boolean) },
        personId,
      );
    } catch (e) {
      this.d.logger.error({ err: e instanceof Error ? e.message : e }, 'after-connect work failed');
    }

    // Read the record once; the connection stands even when ORCID cannot be read right now.
    let summary: RecordSummary | null = null;
    try {
      const record = await api.record(token.access_token, token.orcid);
      summary = await this.d.snapshots.saveRecord(tenant.id, personId, token.orcid, record);
    } catch (e) {
      this.d.logger.warn(
        { err: e instanceof OrcidError ? e.message : e },
        'record read after connect failed',
      );
    }
    return { ok: true, link, summary };
  }

  /** A token we will not keep: revoke it now (the transport retries transient failures). */
  private async revokeQuietly(tenant: Tenant, token: TokenResponse): Promise<void> {
    try {
      const { oauth } = await this.d.orcid.for(tenant);
      await oauth.revoke(token.access_token);
    } catch (e) {
      this.d.logger.error({ err: e instanceof Error ? e.message : e }, 'could not revoke a refused token');
    }
  }
}
