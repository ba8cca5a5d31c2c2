// The operator console's services (docs/operator.md): who is an operator, the organisations with
// their health (create, invite the first administrator, suspend, resume, delete), and the
// installation's health. Made from the container's parts when first used.
import { InstallationFiguresRepository } from '../db/installation-figures.repository.js';
import type { OrcidWorkRepository } from '../db/orcid-work.repository.js';
import type { Repositories, UnitOfWork } from '../db/repositories.js';
import type { Logger } from '../logger.js';
import { probeEnvironment } from '../orcid/reachability.js';
import { AdminInvitationService } from '../services/admin-invitation.service.js';
import type { DisconnectOrcidService } from '../services/disconnect-orcid.service.js';
import type { HealthService } from '../services/health.service.js';
import { InstallationHealthService } from '../services/installation-health.service.js';
import { OperatorAccessService } from '../services/operator-access.service.js';
import type { OrcidClients } from '../services/orcid-clients.js';
import { OrganisationsService } from '../services/organisations.service.js';
import type { JobQueuePorts, Mailer } from '../services/ports.js';
import type { TenantDirectory } from '../services/tenant-directory.js';
import type { TenantSettingsService } from '../services/tenant-settings.service.js';
import { Parts } from './parts.js';

/** What the operator's services are made of: the container's parts (the container itself). */
export interface OperatorSources {
  readonly repos: Repositories;
  readonly unitOfWork: UnitOfWork;
  readonly db: ConstructorParameters<typeof InstallationFiguresRepository>[0];
  readonly publicUrl: string;
  readonly queues: JobQueuePorts;
  readonly mailer: Mailer | null;
  readonly logger: Logger;
  readonly orcid: OrcidClients;
  readonly orcidWork: OrcidWorkRepository;
  readonly tenantDirectory: TenantDirectory;
  readonly tenantSettings: TenantSettingsService;
  readonly disconnect: DisconnectOrcidService;
  readonly health: HealthService;
}

export interface OperatorOptions {
  /** LANYARD_OPERATORS: operators by configuration (e-mail addresses). */
  configured: readonly string[];
  /** The job queue's waiting jobs (absent in a process without one). */
  queueWaiting?: () => Promise<Array<{ name: string; waiting: number; oldestSeconds: number }>>;
  /** Connects to the SMTP server (the installation health); absent without one. */
  mailCheck?: () => Promise<void>;
}

export class OperatorParts extends Parts {
  constructor(
    private readonly c: OperatorSources,
    private readonly o: OperatorOptions,
  ) {
    super();
  }

  get access() {
    return this.once(
      'access',
      () => new OperatorAccessService(this.c.repos.operators, this.o.configured, this.c.repos.portalLog),
    );
  }

  get adminInvitations() {
    const { c } = this;
    return this.once(
      'adminInvitations',
      () =>
        new AdminInvitationService({
          invitations: c.repos.adminInvitations,
          tenants: c.repos.tenants,
          log: c.repos.portalLog,
          unitOfWork: c.unitOfWork,
          queue: c.queues.adminInvitationMail,
          mailer: c.mailer,
          addToOutbox: (tenantId, m, id) => c.repos.invitations.addToOutbox(tenantId, m, id),
          publicUrl: () => c.publicUrl,
          logger: c.logger,
        }),
    );
  }

  get organisations() {
    const { c } = this;
    return this.once(
      'organisations',
      () =>
        new OrganisationsService({
          tenants: c.repos.tenants,
          figures: new InstallationFiguresRepository(c.db),
          work: c.orcidWork,
          links: c.repos.links,
          settings: c.tenantSettings,
          invitations: this.adminInvitations,
          disconnect: c.disconnect,
          log: c.repos.portalLog,
          deletions: c.queues.organisationDeletions,
          changed: (tenantId) => c.tenantDirectory.changed(tenantId),
          logger: c.logger,
        }),
    );
  }

  get installationHealth() {
    const { c, o } = this;
    return this.once(
      'installationHealth',
      () =>
        new InstallationHealthService({
          health: c.health,
          work: c.orcidWork,
          workers: c.repos.workerProcesses,
          tenants: c.repos.tenants,
          ...(o.queueWaiting ? { queueWaiting: o.queueWaiting } : {}),
          probe: (name) => probeEnvironment(c.orcid.environmentOf({ orcid_environment: name })),
          ...(o.mailCheck ? { mailCheck: o.mailCheck } : {}),
        }),
    );
  }
}
