// Invite, then write: a person whose items wait for them to connect gets one invitation by
// email, from their organisation and linking to its portal. Their pending items are queued the
// moment they connect (connect-orcid.service). Mail goes out from the worker, with retries.
import type { InvitationRepository, InvitationToSend } from '../db/invitation.repository.js';
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import { fillTemplate, type TemplateLanguage } from '../domain/invitation-template.js';
import { reminderPolicy } from '../domain/tenant.js';
import type { Logger } from '../logger.js';
import {
  invitationMail,
  primaryMail,
  reconsentMail,
  renewalMail,
  templateMail,
} from '../mail/invitation.mail.js';
import type { PersonInviter } from './item-intake.service.js';
import type { InvitationMailQueue, Mailer, MailMessage, ReconsentInviter } from './ports.js';

/** The web role's side: records invitations and queues their mail. */
export function personInviter(invitations: InvitationRepository, mail: InvitationMailQueue): PersonInviter {
  return {
    async invite(tenantId, personIds) {
      for (const id of await invitations.createFor(tenantId, personIds))
        await mail.enqueueInvitation(tenantId, id);
    },
  };
}

/** Asks a person who revoked the organisation at ORCID whether to connect again (one per 90 days). */
export function reconsentInviter(
  invitations: InvitationRepository,
  mail: InvitationMailQueue,
): ReconsentInviter {
  return {
    async inviteAgain(tenantId, personId) {
      const id = await invitations.createReconsent(tenantId, personId);
      if (id) await mail.enqueueInvitation(tenantId, id);
    },
    async inviteToPrimary(tenantId, personId) {
      const id = await invitations.createFollowUp(tenantId, personId, 'primary');
      if (id) await mail.enqueueInvitation(tenantId, id);
    },
  };
}

const REMINDER: Record<TemplateLanguage, string> = { en: 'Reminder', es: 'Recordatorio', fr: 'Rappel' };

/**
 * An invitation to connect in the organisation's own words, when it wrote a template for the
 * language invitations go out in (null: the built-in message).
 */
export function templatedInvitation(
  tenant: Tenant,
  content: {
    to: string;
    givenNames: string | null;
    portalUrl: string;
    pendingItems: number;
    reminder: boolean;
  },
): MailMessage | null {
  const lang = reminderPolicy(tenant.invitation_settings).language;
  const template = tenant.invitation_templates[lang];
  if (!template) return null;
  const portalUrl = `${content.portalUrl}?lang=${lang}`;
  const filled = fillTemplate(template, {
    givenNames: content.givenNames ?? '',
    organisation: tenant.name,
    portalUrl,
    items: String(content.pendingItems),
    supportContact: tenant.support_contact,
  });
  return templateMail(
    { to: content.to, organisation: tenant.name, portalUrl, lang },
    { ...filled, subject: content.reminder ? `${REMINDER[lang]}: ${filled.subject}` : filled.subject },
  );
}

/** The message of each kind of invitation. */
function messageOf(invitation: InvitationToSend, content: Parameters<typeof reconsentMail>[0]): MailMessage {
  switch (invitation.kind) {
    case 'reconsent':
      return reconsentMail(content);
    case 'renewal':
      return renewalMail({
        ...content,
        expiresAt: invitation.expires_at ? new Date(invitation.expires_at) : null,
      });
    case 'primary':
      return primaryMail({ ...content, primaryOrcid: invitation.primary_orcid });
    default:
      return invitationMail({
        ...content,
        pendingItems: invitation.pending_items,
        reminder: invitation.reminders_sent > 0,
      });
  }
}

export class InvitationMailService {
  constructor(
    private readonly d: {
      invitations: InvitationRepository;
      tenants: TenantRepository;
      /** Null: no SMTP server configured, mail is only kept in the outbox. */
      mailer: Mailer | null;
      publicUrl: string;
      logger: Logger;
    },
  ) {}

  /** The newest messages of every organisation (the embedded demo's outbox page). */
  outbox() {
    return this.d.invitations.outbox();
  }

  /** Sends the invitation once; a failure to reach SMTP throws, so the job retries. */
  async send(tenantId: string, invitationId: string): Promise<void> {
    const invitation = await this.d.invitations.toSend(tenantId, invitationId);
    const tenant = await this.d.tenants.byId(tenantId);
    if (!invitation || !tenant || invitation.sent_at) return;
    const content = {
      to: invitation.email,
      givenNames: invitation.given_names,
      organisation: tenant.name,
      portalUrl: `${this.d.publicUrl.replace(/\/$/, '')}/o/${tenant.slug}/`,
      supportContact: tenant.support_contact,
    };
    const message =
      (invitation.kind === 'connect'
        ? templatedInvitation(tenant, {
            ...content,
            pendingItems: invitation.pending_items,
            reminder: invitation.reminders_sent > 0,
          })
        : null) ?? messageOf(invitation, content);
    let messageId: string | null = null;
    if (this.d.mailer) {
      try {
        ({ messageId } = await this.d.mailer.send(message));
      } catch (e) {
        await this.d.invitations.markSent(tenantId, invitationId, (e as Error).message);
        throw e;
      }
    }
    await this.d.invitations.addToOutbox(tenantId, message, messageId);
    await this.d.invitations.markSent(tenantId, invitationId, null);
    this.d.logger.info({ tenantId, invitationId, smtp: !!this.d.mailer }, 'invitation sent');
  }

  /**
   * The organisation's invitation as a person would get it (its template in the invitation
   * language, else the built-in message), sent now to `to` with sample values; an SMTP failure
   * throws. Kept in the outbox like any mail.
   */
  async sendTest(tenant: Tenant, to: string, givenNames: string | null): Promise<void> {
    const content = {
      to,
      givenNames,
      organisation: tenant.name,
      portalUrl: `${this.d.publicUrl.replace(/\/$/, '')}/o/${tenant.slug}/`,
      supportContact: tenant.support_contact,
    };
    const message =
      templatedInvitation(tenant, { ...content, pendingItems: 3, reminder: false }) ??
      invitationMail({ ...content, pendingItems: 3 });
    const sent = this.d.mailer ? await this.d.mailer.send(message) : null;
    await this.d.invitations.addToOutbox(tenant.id, message, sent?.messageId ?? null);
  }
}

/** The hourly sweep: every invitation whose reminder is due goes to the mail queue. */
export async function sendDueReminders(
  invitations: InvitationRepository,
  mail: InvitationMailQueue,
): Promise<number> {
  let sent = 0;
  for (;;) {
    const due = await invitations.takeDueReminders(500);
    for (const r of due) await mail.enqueueInvitation(r.tenant_id, r.id);
    sent += due.length;
    if (due.length < 500) return sent;
  }
}
