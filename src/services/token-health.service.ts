// Token health: every link's grant has an expiry (ORCID's persistent grants last about 20 years;
// short grants much less). Links expiring within 30 days are told once to the organisation
// (link.expiring) and, where the person has an email, the person is asked to renew; a link whose
// grant has expired becomes `expired` (its tokens dropped), its waiting items wait for the person
// again (pending), and the portal asks them to connect again. A refresh cannot renew a grant:
// ORCID's refresh tokens inherit their parent's expiry (SPEC 3.8, 3.9), so renewing is the
// person's, through the portal.
import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type { InvitationRepository } from '../db/invitation.repository.js';
import type { ItemRepository } from '../db/item.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { EventPublisher, InvitationMailQueue } from './ports.js';

export interface TokenHealthDeps {
  links: OrcidLinkRepository;
  items: ItemRepository;
  records: CollectedRecordRepository;
  invitations: InvitationRepository;
  mail: InvitationMailQueue;
  events: EventPublisher;
}

/** How long before its expiry a grant is said to expire soon. */
export const EXPIRING_DAYS = 30;

export class TokenHealthService {
  constructor(private readonly d: TokenHealthDeps) {}

  async run(tenantId: string, now = new Date()): Promise<{ expired: number; expiring: number }> {
    const expired = await this.d.links.expireDue(tenantId, now);
    for (const link of expired) {
      const ref = { tenantId, linkId: link.id, personId: link.person_id, orcid: link.orcid };
      await this.d.items.setStatusForPerson(tenantId, link.person_id, ['queued', 'retrying'], 'pending');
      await this.d.records.note(ref, [{ kind: 'link.expired', detail: { expiredAt: link.expires_at } }]);
      await this.d.events.publish(
        tenantId,
        'link.expired',
        { orcid: link.orcid, expiredAt: new Date(link.expires_at).toISOString() },
        link.person_id,
      );
    }
    const soon = await this.d.links.claimExpiring(
      tenantId,
      new Date(now.getTime() + EXPIRING_DAYS * 86_400_000),
    );
    for (const link of soon) {
      const ref = { tenantId, linkId: link.id, personId: link.person_id, orcid: link.orcid };
      await this.d.records.note(ref, [{ kind: 'link.expiring', detail: { expiresAt: link.expires_at } }]);
      await this.d.events.publish(
        tenantId,
        'link.expiring',
        { orcid: link.orcid, expiresAt: new Date(link.expires_at).toISOString() },
        link.person_id,
      );
      const invitation = await this.d.invitations.createFollowUp(tenantId, link.person_id, 'renewal');
      if (invitation) await this.d.mail.enqueueInvitation(tenantId, invitation);
    }
    return { expired: expired.length, expiring: soon.length };
  }
}
