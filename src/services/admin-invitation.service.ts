// The organisation's administrators invited by mail by the operator: a single-use link that
// expires (7 days), mailed by a worker job. Accepting it makes the invitee, named by the address
// invited (their local id), an administrator of that organisation and signs them in, so that
// they can set up the organisation before its institutional sign-in exists. A link already used,
// expired, or of another organisation is refused, and nothing changes.
import type { AdminInvitation, AdminInvitationRepository } from '../db/admin-invitation.repository.js';
import type { Person } from '../db/person.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { UnitOfWork } from '../db/repositories.js';
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import type { Logger } from '../logger.js';
import { adminInvitationMail } from '../mail/invitation.mail.js';
import type { AdminInvitationMailQueue, Mailer } from './ports.js';

export const ADMIN_INVITATION_DAYS = 7;
const REDACTED = '[link sent by mail, not kept]';

export type InvitationCheck =
  | { state: 'valid'; invitation: AdminInvitation }
  | { state: 'used' | 'expired' | 'unknown' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class AdminInvitationService {
  constructor(
    private readonly d: {
      invitations: AdminInvitationRepository;
      tenants: TenantRepository;
      log: PortalLogRepository;
      unitOfWork: UnitOfWork;
      queue: AdminInvitationMailQueue;
      /** Null: mail is only kept in the outbox. */
      mailer: Mailer | null;
      addToOutbox: (
        tenantId: string,
        m: Parameters<Mailer['send']>[0],
        messageId: string | null,
      ) => Promise<void>;
      publicUrl: () => string;
      logger: Logger;
    },
  ) {}

  /** The address's problem, if any (shown with the form's other problems). */
  static problemOf(email: string): string | null {
    return EMAIL.test(email.trim()) ? null : 'adminEmail: an e-mail address such as name@example.org';
  }

  async invite(tenant: Tenant, email: string, actor: string): Promise<AdminInvitation> {
    const expires = new Date(Date.now() + ADMIN_INVITATION_DAYS * 86_400_000);
    const invitation = await this.d.invitations.create(tenant.id, email.trim(), actor, expires);
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'admin.invited',
      subject: invitation.email,
      details: { expires: expires.toISOString() },
    });
    await this.d.queue.enqueueAdminInvitation(invitation.id);
    return invitation;
  }

  list(tenantId: string) {
    return this.d.invitations.list(tenantId);
  }

  /** Mails the invitation once; a failure to reach SMTP throws, so the job retries. */
  async send(invitationId: string): Promise<void> {
    const found = await this.d.invitations.toSend(invitationId);
    if (!found) return;
    const { invitation, token } = found;
    const tenant = await this.d.tenants.byId(invitation.tenant_id);
    if (!tenant) return;
    const message = adminInvitationMail({
      to: invitation.email,
      organisation: tenant.name,
      supportContact: tenant.support_contact,
      acceptUrl: `${this.d.publicUrl().replace(/\/+$/, '')}/o/${tenant.slug}/welcome/${token}`,
      expiresAt: invitation.expires_at,
    });
    let messageId: string | null = null;
    if (this.d.mailer) {
      try {
        ({ messageId } = await this.d.mailer.send(message));
      } catch (e) {
        await this.d.invitations.markSent(invitationId, (e as Error).message);
        throw e;
      }
    }
    // The link signs its holder in as an administrator: once SMTP has it, the copy kept in the
    // outbox does not. (Without SMTP the outbox is how the mail is delivered, as in the demo.)
    const kept = this.d.mailer
      ? {
          ...message,
          text: message.text.replaceAll(token, REDACTED),
          html: message.html.replaceAll(token, REDACTED),
        }
      : message;
    await this.d.addToOutbox(tenant.id, kept, messageId);
    await this.d.invitations.markSent(invitationId, null);
    this.d.logger.info({ tenantId: tenant.id, invitationId, smtp: !!this.d.mailer }, 'admin invitation sent');
  }

  async check(tenant: Tenant, token: string): Promise<InvitationCheck> {
    const invitation = await this.d.invitations.byToken(tenant.id, token);
    if (!invitation) return { state: 'unknown' };
    if (invitation.accepted_at) return { state: 'used' };
    if (invitation.expires_at <= new Date()) return { state: 'expired' };
    return { state: 'valid', invitation };
  }

  /** The new administrator (to sign in), or why the link cannot be used. */
  async accept(
    tenant: Tenant,
    token: string,
  ): Promise<{ ok: true; person: Person } | { ok: false; state: 'used' | 'expired' | 'unknown' }> {
    const checked = await this.check(tenant, token);
    if (checked.state !== 'valid') return { ok: false, state: checked.state };
    const { invitation } = checked;
    // One transaction: the link is used up only with the role given. Two tabs accepting at once:
    // one wins, the other is told the link was used.
    const person = await this.d.unitOfWork(async (r) => {
      if (!(await r.adminInvitations.accept(tenant.id, invitation.id))) return null;
      const p = await r.people.upsertByLocalId(tenant.id, invitation.email, { email: invitation.email });
      await r.adminUsers.grant(tenant.id, invitation.email, `invitation:${invitation.id}`);
      await r.portalLog.audit({
        tenantId: tenant.id,
        actor: `person:${p.id}`,
        action: 'admin.invitation_accepted',
        subject: invitation.email,
        details: { invitedBy: invitation.invited_by },
      });
      return p;
    });
    return person ? { ok: true, person } : { ok: false, state: 'used' };
  }
}
