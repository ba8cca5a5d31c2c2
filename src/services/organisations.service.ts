// The operator's organisations: each with its health (credentials accepted or refused by ORCID, the
// last failed ORCID call, its use of its rate limit, its queued work, its links and items by
// status); created through the same validated settings as `lanyard tenant add`, with its first
// administrator invited by mail; suspended and resumed (no ORCID work meanwhile, the portal
// says so); deleted (every token revoked at ORCID first, then every row, audited).
import type { InstallationFiguresRepository } from '../db/installation-figures.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { OrcidWorkRepository } from '../db/orcid-work.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { NewTenant, Tenant, TenantRepository } from '../db/tenant.repository.js';
import { hasOrcidCredentials } from '../domain/tenant.js';
import type { Logger } from '../logger.js';
import { OrcidError } from '../orcid/errors.js';
import { AdminInvitationService } from './admin-invitation.service.js';
import type { DisconnectOrcidService } from './disconnect-orcid.service.js';
import type { OrganisationDeletionQueue } from './ports.js';
import type { TenantSettingsService } from './tenant-settings.service.js';

export interface OrganisationHealth {
  tenant: Tenant;
  /** What ORCID last made of the credentials: at a Test connection, or (…InUse) in ordinary work. */
  credentials: 'missing' | 'untested' | 'valid' | 'invalid' | 'validInUse' | 'invalidInUse';
  lastError: { at: Date; status: number | null; error: string | null; url: string } | null;
  /** Calls in the last minute over what the rate limit allows in a minute (0..1+). */
  rateLimitUse: number;
  queued: { writes: number; syncs: number; oldestSeconds: number };
  links: Record<string, number>;
  items: Record<string, number>;
  state: 'active' | 'suspended' | 'deleting';
}

const REVOKE_BATCH = 100;

export class OrganisationsService {
  constructor(
    private readonly d: {
      tenants: TenantRepository;
      figures: InstallationFiguresRepository;
      work: OrcidWorkRepository;
      links: OrcidLinkRepository;
      settings: TenantSettingsService;
      invitations: AdminInvitationService;
      disconnect: DisconnectOrcidService;
      log: PortalLogRepository;
      deletions: OrganisationDeletionQueue;
      /** This process forgets its copy of the tenant at once. */
      changed: (tenantId: string) => void;
      logger: Logger;
    },
  ) {}

  async list(): Promise<OrganisationHealth[]> {
    const [tenants, items, links, calls, errors, backlog] = await Promise.all([
      this.d.tenants.all(),
      this.d.figures.items(),
      this.d.figures.links(),
      this.d.figures.callsLastMinute(),
      this.d.figures.lastErrors(),
      this.d.work.backlog(),
    ]);
    const countsOf = (rows: Array<{ tenant: string; status: string; count: number }>, id: string) =>
      Object.fromEntries(rows.filter((r) => r.tenant === id).map((r) => [r.status, r.count]));
    return tenants.map((tenant) => {
      const mine = backlog.filter((b) => b.tenant_id === tenant.id);
      const waiting = (kind: 'write' | 'sync') => mine.find((b) => b.kind === kind)?.waiting ?? 0;
      const check = tenant.connection_check;
      const perMinute = tenant.rate_limit_per_s * 60;
      return {
        tenant,
        credentials: !hasOrcidCredentials(tenant)
          ? 'missing'
          : !check
            ? 'untested'
            : `${check.ok ? 'valid' : 'invalid'}${check.source === 'work' ? 'InUse' : ''}`,
        lastError: errors.find((e) => e.tenant === tenant.id) ?? null,
        rateLimitUse: (calls.find((c) => c.tenant === tenant.id)?.count ?? 0) / perMinute,
        queued: {
          writes: waiting('write'),
          syncs: waiting('sync'),
          oldestSeconds: Math.max(0, ...mine.map((b) => b.oldest_s)),
        },
        links: countsOf(links, tenant.id),
        items: countsOf(items, tenant.id),
        state: tenant.deletion_requested_at ? 'deleting' : tenant.suspended_at ? 'suspended' : 'active',
      };
    });
  }

  async one(tenantId: string): Promise<OrganisationHealth | undefined> {
    return (await this.list()).find((o) => o.tenant.id === tenantId);
  }

  /**
   * A new organisation from the operator's form: the settings are checked whole by the same code
   * as `lanyard tenant add` (every problem at once, with the administrator's address), then its
   * first administrator is invited.
   */
  async create(
    settings: NewTenant,
    adminEmail: string,
    actor: string,
  ): Promise<{ ok: true; tenant: Tenant } | { ok: false; problems: string[] }> {
    const emailProblem = AdminInvitationService.problemOf(adminEmail);
    const problems = [...this.d.settings.problems(null, settings), ...(emailProblem ? [emailProblem] : [])];
    if (await this.d.tenants.bySlug(settings.slug)) problems.push(`slug: ${settings.slug} is already in use`);
    if (problems.length) return { ok: false, problems };
    const created = await this.d.settings.create(settings, actor);
    if (!created.ok) return created;
    await this.d.invitations.invite(created.tenant, adminEmail, actor);
    return created;
  }

  async suspend(tenant: Tenant, actor: string): Promise<void> {
    if (tenant.suspended_at) return;
    await this.d.tenants.setSuspended(tenant.id, new Date());
    this.d.changed(tenant.id);
    await this.d.log.audit({ tenantId: tenant.id, actor, action: 'tenant.suspended' });
  }

  async resume(tenant: Tenant, actor: string): Promise<boolean> {
    if (!tenant.suspended_at || tenant.deletion_requested_at) return false;
    await this.d.tenants.setSuspended(tenant.id, null);
    this.d.changed(tenant.id);
    await this.d.log.audit({ tenantId: tenant.id, actor, action: 'tenant.resumed' });
    return true;
  }

  /** Starts the deletion: the organisation is suspended for good, and the worker does the rest. */
  async delete(tenant: Tenant, actor: string): Promise<void> {
    await this.d.tenants.markForDeletion(tenant.id);
    this.d.changed(tenant.id);
    await this.d.log.audit({
      tenantId: null,
      actor,
      action: 'tenant.deletion_requested',
      subject: tenant.slug,
      details: { id: tenant.id, name: tenant.name },
    });
    await this.d.deletions.enqueueDeletion(tenant.id, actor);
  }

  /**
   * The worker's part of a deletion: every token revoked at ORCID (an unreachable ORCID throws,
   * and the job is retried; a token ORCID refuses to revoke is already void, unless ORCID refused
   * the client itself: then the token stays valid at ORCID, and the audit entry counts it apart),
   * then every row of the organisation, with the installation's audit entry kept.
   */
  async runDeletion(tenantId: string, actor: string): Promise<void> {
    const tenant = await this.d.tenants.byId(tenantId);
    if (!tenant?.deletion_requested_at) return;
    let revoked = 0;
    let refused = 0;
    let clientRefused = 0;
    revoking: for (;;) {
      const ids = await this.d.links.endAllHoldingTokens(tenantId, REVOKE_BATCH);
      for (const id of ids) {
        try {
          await this.d.disconnect.revokeAtOrcid(tenant, id);
          revoked++;
        } catch (e) {
          if (!(e instanceof OrcidError) || e.kind === 'transient') throw e;
          if (e.details.oauthError === 'invalid_client') {
            // ORCID refuses the client itself: none of the tokens left can be revoked with it.
            clientRefused = await this.d.links.countHoldingTokens(tenantId);
            break revoking;
          }
          await this.d.links.confirmRevokedAtOrcid(tenantId, id);
          refused++;
        }
      }
      if (ids.length < REVOKE_BATCH) break;
    }
    await this.d.tenants.delete(tenantId);
    this.d.changed(tenantId);
    await this.d.log.audit({
      tenantId: null,
      actor,
      action: 'tenant.deleted',
      subject: tenant.slug,
      details: {
        id: tenant.id,
        name: tenant.name,
        tokensRevoked: revoked,
        tokensAlreadyVoid: refused,
        ...(clientRefused ? { tokensNotRevokedClientRefused: clientRefused } : {}),
      },
    });
    this.d.logger.info({ tenantId, revoked, refused, clientRefused }, 'organisation deleted');
  }
}
