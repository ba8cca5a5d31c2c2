// The console's people: the list an administrator searches, one person's page, and what an
// administrator may do for a person (resend the invitation, retry an item, disconnect, delete),
// each audited with who did it.
import type { PeopleDirectoryRepository } from '../db/people-directory.repository.js';
import type { Repositories, UnitOfWork } from '../db/repositories.js';
import type { Tenant } from '../db/tenant.repository.js';
import type { PeopleQuery } from '../domain/people-query.js';
import type { DisconnectOrcidService } from './disconnect-orcid.service.js';
import type { InboxRequestService } from './inbox-request.service.js';
import type { ItemIntakeService } from './item-intake.service.js';
import type { InvitationMailQueue } from './ports.js';
import type { WebhookService } from './webhooks.service.js';

/** How many history entries and calls a person's page shows (the call log has the rest). */
const EVENTS_SHOWN = 200;
const CALLS_SHOWN = 50;

export type PersonActionResult =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'not_found'
        | 'no_email'
        | 'not_retryable'
        | 'not_connected'
        | 'orcid_unreachable'
        | 'not_enabled'
        | 'not_askable'
        | 'refused';
      /** ORCID's answer, when it refused. */
      detail?: string;
    };

export class PeopleConsoleService {
  constructor(
    private readonly d: {
      repos: Repositories;
      unitOfWork: UnitOfWork;
      intake: ItemIntakeService;
      disconnect: DisconnectOrcidService;
      webhooks: WebhookService;
      invitationMail: InvitationMailQueue;
      inbox: InboxRequestService;
    },
  ) {}

  private get directory(): PeopleDirectoryRepository {
    return this.d.repos.peopleDirectory;
  }

  list(tenantId: string, query: PeopleQuery) {
    return this.directory.page(tenantId, query);
  }

  count(tenantId: string) {
    return this.directory.count(tenantId);
  }

  /** Everything the organisation holds about the person (never a token), or undefined. */
  async person(tenantId: string, personId: string) {
    const person = await this.directory.person(tenantId, personId);
    if (!person) return undefined;
    const [links, items, events, invitations] = await Promise.all([
      this.directory.links(tenantId, personId),
      this.directory.items(tenantId, personId),
      this.directory.itemEvents(tenantId, personId, EVENTS_SHOWN),
      this.directory.invitations(tenantId, personId),
    ]);
    const orcids = [...new Set(links.map((l) => l.orcid))];
    const active = links.find((l) => l.status === 'active');
    const [calls, record, inboxRequests] = await Promise.all([
      this.directory.calls(tenantId, orcids, CALLS_SHOWN),
      active ? this.d.repos.records.items(tenantId, active.id) : Promise.resolve([]),
      this.d.repos.inboxRequests.ofPerson(tenantId, personId),
    ]);
    return { person, links, items, events, invitations, calls, record, inboxRequests };
  }

  /** The iD a request through the person's ORCID inbox would go to, or null if none may be sent. */
  inboxAskable(tenant: Tenant, personId: string): Promise<string | null> {
    return this.d.inbox.askable(tenant, personId);
  }

  /** Asks the person, through their ORCID inbox, to grant the organisation's permissions again. */
  async askThroughInbox(tenant: Tenant, personId: string, actor: string): Promise<PersonActionResult> {
    const r = await this.d.inbox.send(tenant, personId, actor);
    return r.ok ? { ok: true } : r;
  }

  private audit(tenantId: string, actor: string, action: string, subject: string | null, details = {}) {
    return this.d.repos.portalLog.audit({ tenantId, actor, action, subject, details });
  }

  async resendInvitation(tenant: Tenant, personId: string, actor: string): Promise<PersonActionResult> {
    if (!(await this.directory.person(tenant.id, personId))) return { ok: false, reason: 'not_found' };
    const id = await this.d.repos.invitations.resend(tenant.id, personId);
    if (!id) return { ok: false, reason: 'no_email' };
    await this.d.invitationMail.enqueueInvitation(tenant.id, id);
    await this.audit(tenant.id, actor, 'person.invitation_resent', personId, { invitationId: id });
    return { ok: true };
  }

  /** Writes a failed or refused item again, now (after the organisation fixed its data). */
  async retryItem(
    tenant: Tenant,
    personId: string,
    itemId: string,
    actor: string,
  ): Promise<PersonActionResult> {
    const item = (await this.directory.items(tenant.id, personId)).find((i) => i.id === itemId);
    if (!item) return { ok: false, reason: 'not_found' };
    const r = await this.d.intake.retryItem(tenant.id, item.source_key);
    if (!r?.retried) return { ok: false, reason: 'not_retryable' };
    await this.audit(tenant.id, actor, 'item.retried', personId, { sourceKey: item.source_key });
    return { ok: true };
  }

  /** Ends the person's connection on the organisation's side and revokes the token at ORCID. */
  async disconnect(tenant: Tenant, personId: string, actor: string): Promise<PersonActionResult> {
    if (!(await this.directory.person(tenant.id, personId))) return { ok: false, reason: 'not_found' };
    const r = await this.d.disconnect.disconnect(tenant, personId, actor);
    return r.ok ? { ok: true } : { ok: false, reason: 'not_connected' };
  }

  /**
   * Deletes the person: first every token they granted is revoked at ORCID and their webhooks
   * are unregistered (if ORCID cannot be reached, nothing is deleted and the administrator tries
   * again), then their data goes in one transaction. The audit entry names no one.
   */
  async deletePerson(tenant: Tenant, personId: string, actor: string): Promise<PersonActionResult> {
    const links = await this.directory.links(tenant.id, personId);
    if (!(await this.directory.person(tenant.id, personId))) return { ok: false, reason: 'not_found' };
    try {
      // The links stay as they are until the person goes: a failure here leaves the person whole.
      for (const link of links) {
        await this.d.disconnect.revokeAtOrcid(tenant, link.id);
        await this.d.webhooks.unsubscribe(tenant.id, link.id);
      }
    } catch {
      return { ok: false, reason: 'orcid_unreachable' };
    }
    const gone = await this.d.unitOfWork(async (repos) => {
      const counts = await repos.people.erase(tenant.id, personId);
      if (counts)
        await repos.portalLog.audit({
          tenantId: tenant.id,
          actor,
          action: 'person.deleted',
          subject: null,
          details: counts,
        });
      return counts;
    });
    return gone ? { ok: true } : { ok: false, reason: 'not_found' };
  }
}
