// Asking a researcher through their ORCID inbox (SPEC 6.10): for a person whose iD the
// organisation knows but who holds no valid permission (they revoked it, or it expired), a
// premium client posts a permission request whose "Grant permissions" leads to ORCID's authorize
// page with a state bound to that person and iD. The grant comes back to the organisation's
// usual callback and connects the person, whether or not they are signed in to the portal.

import type { Repositories } from '../db/repositories.js';
import type { Tenant } from '../db/tenant.repository.js';
import { inboxRequest } from '../domain/inbox-request.js';
import { reminderPolicy } from '../domain/tenant.js';
import { OrcidError } from '../orcid/errors.js';
import type { OrcidClients } from './orcid-clients.js';
import type { TenantDirectory } from './tenant-directory.js';

export type InboxRequestResult =
  | { ok: true; putCode: number }
  | { ok: false; reason: 'not_found' | 'not_enabled' | 'not_askable' }
  | { ok: false; reason: 'refused'; detail: string };

export class InboxRequestService {
  constructor(
    private readonly d: {
      repos: Pick<Repositories, 'peopleDirectory' | 'oauthStates' | 'inboxRequests' | 'portalLog'>;
      directory: TenantDirectory;
      orcid: OrcidClients;
    },
  ) {}

  /**
   * The iD to ask, if the organisation may ask this person through their ORCID inbox: the last
   * iD they connected, when none of their permissions is valid now. Null otherwise.
   */
  async askable(tenant: Tenant, personId: string): Promise<string | null> {
    if (!reminderPolicy(tenant.invitation_settings).orcidInbox) return null;
    const links = await this.d.repos.peopleDirectory.links(tenant.id, personId);
    const now = Date.now();
    if (links.some((l) => l.status === 'active' && new Date(l.expires_at).getTime() > now)) return null;
    return links[0]?.orcid ?? null;
  }

  async send(tenant: Tenant, personId: string, actor: string): Promise<InboxRequestResult> {
    const { repos } = this.d;
    if (!(await repos.peopleDirectory.person(tenant.id, personId))) return { ok: false, reason: 'not_found' };
    if (!reminderPolicy(tenant.invitation_settings).orcidInbox) return { ok: false, reason: 'not_enabled' };
    const orcid = await this.askable(tenant, personId);
    if (!orcid) return { ok: false, reason: 'not_askable' };

    const request = await repos.inboxRequests.create({ tenantId: tenant.id, personId, orcid, actor });
    const state = await repos.oauthStates.createForInbox({
      tenantId: tenant.id,
      personId,
      orcid,
      scope: tenant.scopes,
    });
    const { oauth, api } = await this.d.orcid.for(tenant);
    const language = reminderPolicy(tenant.invitation_settings).language;
    const notification = inboxRequest({
      language,
      org: tenant.org_name ?? tenant.name,
      authorizationUrl: oauth.authorizeUrl({
        scope: tenant.scopes,
        redirectUri: tenant.redirect_uri,
        state,
        orcid,
        lang: language,
      }),
      items: await repos.inboxRequests.itemsToName(tenant.id, personId, 50),
    });
    try {
      const token = await this.d.directory.derived(tenant, 'premium-notification-token', () =>
        oauth.clientCredentials('/premium-notification').then((t) => t.access_token),
      );
      const putCode = await api.requestPermission(token, orcid, notification);
      await repos.inboxRequests.sent(tenant.id, request.id, putCode);
      await this.audit(tenant, actor, personId, { orcid, putCode });
      return { ok: true, putCode };
    } catch (e) {
      if (!(e instanceof OrcidError)) throw e;
      await repos.inboxRequests.failed(tenant.id, request.id, e.message);
      await this.audit(tenant, actor, personId, { orcid, error: e.message });
      return { ok: false, reason: 'refused', detail: e.message };
    }
  }

  private audit(tenant: Tenant, actor: string, personId: string, details: Record<string, unknown>) {
    return this.d.repos.portalLog.audit({
      tenantId: tenant.id,
      actor,
      action: 'person.inbox_requested',
      subject: personId,
      details,
    });
  }
}
