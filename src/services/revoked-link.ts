// ORCID answered 401 invalid_token for a link's token: the researcher revoked our access at ORCID
// (or the token expired). Seen by a write or by a read of the record, it ends the same way: the
// link is revoked (its token dropped, there is nothing left to revoke), the person's items that
// wait to be written stop (revoked: written only if they connect again; those already in ORCID
// stay there, and say so), and the change feed notes it.
import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type { ItemRepository } from '../db/item.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import type { Logger } from '../logger.js';
import type { EventPublisher, ReconsentInviter, WebhookQueue } from './ports.js';

export interface RevokedLinkDeps {
  links: OrcidLinkRepository;
  items: ItemRepository;
  records: CollectedRecordRepository;
  /** The link's ORCID webhook goes with it (absent: the daily repair removes it). */
  webhooks?: WebhookQueue;
  events?: EventPublisher;
  /** Where the tenant wants it (sync.reconsentInvitation), the person is asked to connect again. */
  reconsent?: ReconsentInviter;
  logger: Logger;
}

/** Returns false when the link had already ended (another process saw it first). */
export async function endRevokedLink(
  d: RevokedLinkDeps,
  tenant: Pick<Tenant, 'id' | 'sync_settings'>,
  linkId: string,
): Promise<boolean> {
  const tenantId = tenant.id;
  const link = await d.links.markRevoked(tenantId, linkId, 'orcid');
  if (!link) return false;
  await d.links.confirmRevokedAtOrcid(tenantId, linkId);
  const stopped = await d.items.setStatusForPerson(
    tenantId,
    link.person_id,
    ['queued', 'retrying'],
    'revoked',
  );
  await d.records.note({ tenantId, linkId, personId: link.person_id, orcid: link.orcid }, [
    { kind: 'link.revoked', detail: { by: 'researcher' } },
  ]);
  if (tenant.sync_settings.webhooks) await d.webhooks?.enqueueWebhook(tenantId, linkId, 'unsubscribe');
  await d.events?.publish(tenantId, 'link.revoked', { orcid: link.orcid, by: 'researcher' }, link.person_id);
  if (tenant.sync_settings.reconsentInvitation) await d.reconsent?.inviteAgain(tenantId, link.person_id);
  d.logger.warn(
    { tenantId, orcid: link.orcid, stopped: stopped.length },
    'ORCID token revoked by the researcher',
  );
  return true;
}
