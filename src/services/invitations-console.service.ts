// The console's invitations: every invitation with its state, and the organisation's reminder
// policy (how many reminders, how many days apart), changed by an administrator and audited.
import type { InvitationRepository } from '../db/invitation.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import type { InvitationState } from '../domain/invitation-state.js';
import { type InvitationSettings, reminderPolicy } from '../domain/tenant.js';

export class InvitationsConsoleService {
  constructor(
    private readonly d: {
      invitations: InvitationRepository;
      tenants: TenantRepository;
      log: PortalLogRepository;
      /** This process forgets its copy of the tenant at once (others hear of it from the database). */
      changed: (tenantId: string) => void;
    },
  ) {}

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
}
