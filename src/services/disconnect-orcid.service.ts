// Disconnecting an iD: the link ends here at once (and is audited); the token is revoked at
// ORCID now, or by a retried job when ORCID cannot be reached, and only then forgotten.
import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import type { Logger } from '../logger.js';
import type { OrcidClients } from './orcid-clients.js';
import type { EventPublisher, RevocationQueue, WebhookQueue } from './ports.js';

export interface DisconnectDeps {
  tenants: TenantRepository;
  links: OrcidLinkRepository;
  log: PortalLogRepository;
  orcid: OrcidClients;
  revocations: RevocationQueue;
  /** The link's ORCID webhook goes with it. */
  webhooks: WebhookQueue;
  /** The change feed notes the disconnection. */
  records: CollectedRecordRepository;
  events: EventPublisher;
  logger: Logger;
}

export type DisconnectResult = { ok: true; orcid: string; revokedAtOrcid: boolean } | { ok: false };

export class DisconnectOrcidService {
  constructor(private readonly d: DisconnectDeps) {}

  async disconnect(tenant: Tenant, personId: string, actor: string): Promise<DisconnectResult> {
    const active = await this.d.links.activeFor(tenant.id, personId);
    if (!active) return { ok: false };
    const link = await this.d.links.markRevoked(
      tenant.id,
      active.id,
      actor.startsWith('admin:') ? 'admin' : 'researcher',
    );
    if (!link) return { ok: false };
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'orcid.disconnect',
      subject: link.orcid,
      details: { linkId: link.id },
    });
    await this.d.records.note(
      { tenantId: tenant.id, linkId: link.id, personId: link.person_id, orcid: link.orcid },
      [{ kind: 'link.disconnected', detail: { by: link.revoked_by } }],
    );
    if (tenant.sync_settings.webhooks)
      await this.d.webhooks.enqueueWebhook(tenant.id, link.id, 'unsubscribe');
    await this.d.events.publish(
      tenant.id,
      'person.disconnected',
      { orcid: link.orcid, by: link.revoked_by },
      link.person_id,
    );
    let revokedAtOrcid = false;
    try {
      revokedAtOrcid = await this.revokeAtOrcid(tenant, link.id);
    } catch (e) {
      this.d.logger.warn({ err: e instanceof Error ? e.message : e }, 'revocation failed; retrying as a job');
      await this.d.revocations.enqueueRevocation(tenant.id, link.id);
    }
    return { ok: true, orcid: link.orcid, revokedAtOrcid };
  }

  /**
   * Revokes an ended link's tokens at ORCID (the one the person granted, and the sync engine's
   * read token issued from it, which ORCID keeps apart); true once ORCID said yes to both (false:
   * nothing to do).
   */
  async revokeAtOrcid(tenant: Tenant, linkId: string): Promise<boolean> {
    const token = await this.d.links.tokenOf(tenant.id, linkId);
    if (!token) return false;
    const read = await this.d.links.readTokenOf(tenant.id, linkId);
    // Revoking only takes access away: it goes ahead while the organisation is suspended.
    const { oauth } = await this.d.orcid.for(tenant, { whileSuspended: true });
    if (read) await oauth.revoke(read.access_token);
    await oauth.revoke(token.access_token);
    await this.d.links.confirmRevokedAtOrcid(tenant.id, linkId);
    return true;
  }

  /** The job's entry point: by tenant id. */
  async revokePending(tenantId: string, linkId: string): Promise<void> {
    const tenant = await this.d.tenants.byId(tenantId);
    if (tenant) await this.revokeAtOrcid(tenant, linkId);
  }
}
