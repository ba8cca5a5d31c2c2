// The console's invitations: every invitation with its state, and the organisation's reminder
// policy (how many reminders, how many days apart), changed by an administrator and audited.
import type { InvitationRepository } from '../db/invitation.repository.js';
import type { OrcidInboxRequestRepository } from '../db/orcid-inbox-request.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import type { InvitationState } from '../domain/invitation-state.js';
import type { InvitationTemplate, TemplateLanguage } from '../domain/invitation-template.js';
import { type InvitationSettings, reminderPolicy } from '../domain/tenant.js';
import type { InvitationMailService } from './invitation.service.js';

export class InvitationsConsoleService {
  constructor(
    private readonly d: {
      invitations: InvitationRepository;
      tenants: TenantRepository;
      log: PortalLogRepository;
      /** This process forgets its copy of the tenant at once (others hear of it from the database). */
      changed: (tenantId: string) => void;
      mail: Pick<InvitationMailService, 'sendTest'>;
      inboxRequests: OrcidInboxRequestRepository;
    },
  ) {}

  /** The latest requests through people's ORCID inboxes (whether each was answered). */
  inboxRequests(tenant: Tenant) {
    return this.d.inboxRequests.recent(tenant.id, 20);
  }

  policy(tenant: Tenant) {
    return reminderPolicy(tenant.invitation_settings);
  }

  list(
    tenant: Tenant,
    state: InvitationState | undefined,
    after: { at: string; id: string } | undefined,
    limit: number,
  ) {
    return this.d.invitations.page(tenant.id, { state, policy: this.policy(tenant), after, limit });
  }

  async setPolicy(tenant: Tenant, settings: Required<InvitationSettings>, actor: string): Promise<void> {
    await this.d.tenants.update(tenant.id, { invitations: settings });
    this.d.changed(tenant.id);
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'invitations.settings_changed',
      subject: null,
      details: { before: this.policy(tenant), after: settings },
    });
  }

  /** Saves the organisation's invitation for a language (null: back to the built-in message). */
  async saveTemplate(
    tenant: Tenant,
    language: TemplateLanguage,
    template: InvitationTemplate | null,
    actor: string,
  ): Promise<void> {
    const templates = { ...tenant.invitation_templates };
    if (template) templates[language] = template;
    else delete templates[language];
    await this.d.tenants.update(tenant.id, { invitationTemplates: templates });
    this.d.changed(tenant.id);
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'invitations.template_changed',
      subject: language,
      details: { removed: !template },
    });
  }

  /** The invitation as people get it, sent now to the administrator. False: they have no address. */
  async sendTest(tenant: Tenant, admin: { email: string | null; given_names: string | null }, actor: string) {
    if (!admin.email) return false;
    await this.d.mail.sendTest(tenant, admin.email, admin.given_names);
    await this.d.log.audit({ tenantId: tenant.id, actor, action: 'invitations.test_sent', subject: null });
    return true;
  }
}
