// The repositories a use case works with, as one set bound to one database handle: the pool, or
// one transaction (a unit of work). The composition root (src/app/container.ts) builds the sets;
// services take them from there and never build a repository themselves.
import type { AdminInvitationRepository } from './admin-invitation.repository.js';
import type { AdminUserRepository } from './admin-user.repository.js';
import type { ApiKeyRepository } from './api-key.repository.js';
import type { CallLogRepository } from './call-log.repository.js';
import type { CollectedRecordRepository } from './collected-record.repository.js';
import type { EventRepository } from './event.repository.js';
import type { IntegrationReviewRepository } from './integration-review.repository.js';
import type { InvitationRepository } from './invitation.repository.js';
import type { ItemRepository } from './item.repository.js';
import type { OauthStateRepository } from './oauth-state.repository.js';
import type { OperatorRepository } from './operator.repository.js';
import type { OrcidCallRepository } from './orcid-call.repository.js';
import type { OrcidInboxRequestRepository } from './orcid-inbox-request.repository.js';
import type { OrcidLinkRepository } from './orcid-link.repository.js';
import type { OverviewRepository } from './overview.repository.js';
import type { PeopleDirectoryRepository } from './people-directory.repository.js';
import type { PersonRepository } from './person.repository.js';
import type { PortalLogRepository } from './portal-log.repository.js';
import type { SamlRequestStore } from './saml-request.store.js';
import type { SealedValuesRepository } from './sealed-values.repository.js';
import type { SnapshotRepository } from './snapshot.repository.js';
import type { TenantRepository } from './tenant.repository.js';
import type { UploadRepository } from './upload.repository.js';
import type { UploadStatingRepository } from './upload-stating.repository.js';
import type { WebhookSubscriptionRepository } from './webhook-subscription.repository.js';
import type { WorkerProcessRepository } from './worker-process.repository.js';

export interface Repositories {
  adminInvitations: AdminInvitationRepository;
  adminUsers: AdminUserRepository;
  operators: OperatorRepository;
  workerProcesses: WorkerProcessRepository;
  apiKeys: ApiKeyRepository;
  callLog: CallLogRepository;
  records: CollectedRecordRepository;
  events: EventRepository;
  integrationReview: IntegrationReviewRepository;
  invitations: InvitationRepository;
  items: ItemRepository;
  oauthStates: OauthStateRepository;
  inboxRequests: OrcidInboxRequestRepository;
  orcidCalls: OrcidCallRepository;
  links: OrcidLinkRepository;
  overview: OverviewRepository;
  people: PersonRepository;
  peopleDirectory: PeopleDirectoryRepository;
  portalLog: PortalLogRepository;
  samlRequests: SamlRequestStore;
  sealedValues: SealedValuesRepository;
  snapshots: SnapshotRepository;
  tenants: TenantRepository;
  uploads: UploadRepository;
  uploadStating: UploadStatingRepository;
  webhooks: WebhookSubscriptionRepository;
}

/** Runs `work` inside one transaction, with repositories bound to it; commits when it returns. */
export type UnitOfWork = <T>(work: (repos: Repositories) => Promise<T>) => Promise<T>;
