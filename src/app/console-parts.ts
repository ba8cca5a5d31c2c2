// The organisation console's services (docs/console.md), made from the container's parts when
// the web role first serves a console page (or the CLI exports): people, invitations and ORCID
// inbox requests, the call log, the data export, the audit log, the overview and the review.
import type { KeyRing } from '../crypto/key-ring.js';
import type { Db } from '../db/database.js';
import { LinksExportRepository } from '../db/links-export.repository.js';
import type { Repositories, UnitOfWork } from '../db/repositories.js';
import { AuditLogService } from '../services/audit-log.service.js';
import { CallLogService } from '../services/call-log.service.js';
import type { DisconnectOrcidService } from '../services/disconnect-orcid.service.js';
import { InboxRequestService } from '../services/inbox-request.service.js';
import { IntegrationReviewService } from '../services/integration-review.service.js';
import type { InvitationMailService } from '../services/invitation.service.js';
import { InvitationsConsoleService } from '../services/invitations-console.service.js';
import type { ItemIntakeService } from '../services/item-intake.service.js';
import { LinksExportService } from '../services/links-export.service.js';
import type { OrcidClients } from '../services/orcid-clients.js';
import { OverviewService } from '../services/overview.service.js';
import { PeopleConsoleService } from '../services/people-console.service.js';
import type { JobQueuePorts } from '../services/ports.js';
import type { TenantDirectory } from '../services/tenant-directory.js';
import { Parts } from './parts.js';
import type { SyncParts } from './sync-parts.js';

/** What the console's services are made of: the container's parts (the container itself). */
export interface ConsoleSources {
  readonly database: Db;
  readonly ring: KeyRing;
  readonly repos: Repositories;
  readonly unitOfWork: UnitOfWork;
  readonly publicUrl: string;
  readonly queues: JobQueuePorts;
  readonly intake: ItemIntakeService;
  readonly disconnect: DisconnectOrcidService;
  readonly sync: Pick<SyncParts, 'webhooks'>;
  readonly tenantDirectory: TenantDirectory;
  readonly orcid: OrcidClients;
  readonly invitationMail: InvitationMailService;
}

export class ConsoleParts extends Parts {
  constructor(private readonly c: ConsoleSources) {
    super();
  }

  get people() {
    const { c } = this;
    return this.once(
      'people',
      () =>
        new PeopleConsoleService({
          repos: c.repos,
          unitOfWork: c.unitOfWork,
          intake: c.intake,
          disconnect: c.disconnect,
          webhooks: c.sync.webhooks,
          invitationMail: c.queues.invitationMail,
          inbox: this.inboxRequests,
        }),
    );
  }

  /** Permission requests through people's ORCID inboxes. */
  get inboxRequests() {
    const { c } = this;
    return this.once(
      'inboxRequests',
      () => new InboxRequestService({ repos: c.repos, directory: c.tenantDirectory, orcid: c.orcid }),
    );
  }

  get invitations() {
    const { c } = this;
    return this.once(
      'invitations',
      () =>
        new InvitationsConsoleService({
          invitations: c.repos.invitations,
          tenants: c.repos.tenants,
          log: c.repos.portalLog,
          changed: (tenantId) => c.tenantDirectory.changed(tenantId),
          mail: c.invitationMail,
          inboxRequests: c.repos.inboxRequests,
        }),
    );
  }

  get calls() {
    const { repos } = this.c;
    return this.once(
      'calls',
      () => new CallLogService({ calls: repos.callLog, people: repos.peopleDirectory, log: repos.portalLog }),
    );
  }

  /** The data export; its CSV streams through one connection of the pool (a COPY). */
  get linksExport() {
    const { c } = this;
    return this.once(
      'linksExport',
      () =>
        new LinksExportService({
          links: new LinksExportRepository(c.database, c.ring),
          log: c.repos.portalLog,
        }),
    );
  }

  get audit() {
    return this.once('audit', () => new AuditLogService(this.c.repos.portalLog));
  }

  get overview() {
    return this.once('overview', () => new OverviewService(this.c.repos.overview));
  }

  get review() {
    const { c } = this;
    return this.once(
      'review',
      () =>
        new IntegrationReviewService({
          review: c.repos.integrationReview,
          orcid: c.orcid,
          publicUrl: () => c.publicUrl,
        }),
    );
  }
}
