// The Synchronize services (docs/architecture.md), made from the container's parts on first use:
// ORCID webhooks (subscriptions and notifications), re-reads of connected records, reconciliation,
// token health, and the search of ORCID's registry for the organisation's people.
import type { UnitOfWork } from '../db/repositories.js';
import type { Logger } from '../logger.js';
import type { EventService } from '../services/events.service.js';
import type { OrcidClients } from '../services/orcid-clients.js';
import type { JobQueuePorts, QueuePorts, ReconsentInviter } from '../services/ports.js';
import { ReconcileService } from '../services/reconcile.service.js';
import { RecordSyncService } from '../services/record-sync.service.js';
import { RegistrySearchService } from '../services/registry-search.service.js';
import type { TenantDirectory } from '../services/tenant-directory.js';
import { TokenHealthService } from '../services/token-health.service.js';
import { WebhookService } from '../services/webhooks.service.js';
import { Parts } from './parts.js';
import type { RepositorySet } from './repository-set.js';

/** What the sync services are made of: the container's parts (the container itself). */
export interface SyncSources {
  readonly repos: RepositorySet;
  readonly unitOfWork: UnitOfWork;
  readonly logger: Logger;
  readonly publicUrl: string;
  readonly tenantDirectory: TenantDirectory;
  readonly orcid: OrcidClients;
  readonly queues: JobQueuePorts;
  readonly workPorts: Pick<QueuePorts, 'writes' | 'recordSync'>;
  readonly events: EventService;
  readonly reconsent: ReconsentInviter;
}

export class SyncParts extends Parts {
  constructor(private readonly c: SyncSources) {
    super();
  }

  get webhooks() {
    return this.once(
      'webhooks',
      () =>
        new WebhookService({
          directory: this.c.tenantDirectory,
          links: this.c.repos.links,
          subscriptions: this.c.repos.webhooks,
          orcid: this.c.orcid,
          recordSync: this.c.workPorts.recordSync,
          webhookQueue: this.c.queues.webhooks,
          logger: this.c.logger,
          publicUrl: () => this.c.publicUrl,
        }),
    );
  }

  get registrySearch() {
    return this.once(
      'registrySearch',
      () =>
        new RegistrySearchService({
          directory: this.c.tenantDirectory,
          orcid: this.c.orcid,
          links: this.c.repos.links,
        }),
    );
  }

  get tokenHealth() {
    return this.once(
      'tokenHealth',
      () =>
        new TokenHealthService({
          links: this.c.repos.links,
          items: this.c.repos.items,
          records: this.c.repos.records,
          invitations: this.c.repos.invitations,
          mail: this.c.queues.invitationMail,
          events: this.c.events,
        }),
    );
  }

  get reconcile() {
    return this.once(
      'reconcile',
      () =>
        new ReconcileService({
          directory: this.c.tenantDirectory,
          links: this.c.repos.links,
          recordSync: this.c.workPorts.recordSync,
        }),
    );
  }

  get recordSync() {
    return this.once(
      'recordSync',
      () =>
        new RecordSyncService({
          directory: this.c.tenantDirectory,
          links: this.c.repos.links,
          people: this.c.repos.people,
          items: this.c.repos.items,
          records: this.c.repos.records,
          webhooks: this.c.queues.webhooks,
          writes: this.c.workPorts.writes,
          events: this.c.events,
          reconsent: this.c.reconsent,
          unitOfWork: this.c.unitOfWork,
          orcid: this.c.orcid,
          logger: this.c.logger,
        }),
    );
  }
}
