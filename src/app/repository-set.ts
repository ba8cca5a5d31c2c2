// Every repository of the platform, bound to one database handle: the pool (`container.repos`)
// or one transaction (`container.unitOfWork`). Each is made when first asked for.
import type { Kysely } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { AdminInvitationRepository } from '../db/admin-invitation.repository.js';
import { AdminUserRepository } from '../db/admin-user.repository.js';
import { ApiKeyRepository } from '../db/api-key.repository.js';
import { CallLogRepository } from '../db/call-log.repository.js';
import { CollectedRecordRepository } from '../db/collected-record.repository.js';
import { EventRepository } from '../db/event.repository.js';
import { IntegrationReviewRepository } from '../db/integration-review.repository.js';
import { InvitationRepository } from '../db/invitation.repository.js';
import { ItemRepository } from '../db/item.repository.js';
import { OauthStateRepository } from '../db/oauth-state.repository.js';
import { OperatorRepository } from '../db/operator.repository.js';
import { OrcidCallRepository } from '../db/orcid-call.repository.js';
import { OrcidInboxRequestRepository } from '../db/orcid-inbox-request.repository.js';
import { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import { OverviewRepository } from '../db/overview.repository.js';
import { PeopleDirectoryRepository } from '../db/people-directory.repository.js';
import { PersonRepository } from '../db/person.repository.js';
import { PortalLogRepository } from '../db/portal-log.repository.js';
import type { Repositories } from '../db/repositories.js';
import { SamlRequestStore } from '../db/saml-request.store.js';
import type { Database } from '../db/schema.js';
import { SealedValuesRepository } from '../db/sealed-values.repository.js';
import { SnapshotRepository } from '../db/snapshot.repository.js';
import { TenantRepository } from '../db/tenant.repository.js';
import { UploadRepository } from '../db/upload.repository.js';
import { UploadStatingRepository } from '../db/upload-stating.repository.js';
import { WebhookSubscriptionRepository } from '../db/webhook-subscription.repository.js';
import { WorkerProcessRepository } from '../db/worker-process.repository.js';
import { Parts } from './parts.js';

/** Every repository, bound to `db` (the pool or one transaction). */
export class RepositorySet extends Parts implements Repositories {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {
    super();
  }
  get adminUsers() {
    return this.once('adminUsers', () => new AdminUserRepository(this.db));
  }
  get adminInvitations() {
    return this.once('adminInvitations', () => new AdminInvitationRepository(this.db, this.ring));
  }
  get operators() {
    return this.once('operators', () => new OperatorRepository(this.db));
  }
  get workerProcesses() {
    return this.once('workerProcesses', () => new WorkerProcessRepository(this.db));
  }
  get apiKeys() {
    return this.once('apiKeys', () => new ApiKeyRepository(this.db));
  }
  get callLog() {
    return this.once('callLog', () => new CallLogRepository(this.db));
  }
  get records() {
    return this.once('records', () => new CollectedRecordRepository(this.db));
  }
  get events() {
    return this.once('events', () => new EventRepository(this.db, this.ring));
  }
  get invitations() {
    return this.once('invitations', () => new InvitationRepository(this.db));
  }
  get items() {
    return this.once('items', () => new ItemRepository(this.db));
  }
  get overview() {
    return this.once('overview', () => new OverviewRepository(this.db));
  }
  get integrationReview() {
    return this.once('integrationReview', () => new IntegrationReviewRepository(this.db));
  }
  get oauthStates() {
    return this.once('oauthStates', () => new OauthStateRepository(this.db));
  }
  get inboxRequests() {
    return this.once('inboxRequests', () => new OrcidInboxRequestRepository(this.db));
  }
  get orcidCalls() {
    return this.once('orcidCalls', () => new OrcidCallRepository(this.db));
  }
  get links() {
    return this.once('links', () => new OrcidLinkRepository(this.db, this.ring));
  }
  get people() {
    return this.once('people', () => new PersonRepository(this.db));
  }
  get peopleDirectory() {
    return this.once('peopleDirectory', () => new PeopleDirectoryRepository(this.db));
  }
  get portalLog() {
    return this.once('portalLog', () => new PortalLogRepository(this.db));
  }
  get samlRequests() {
    return this.once('samlRequests', () => new SamlRequestStore(this.db));
  }
  get sealedValues() {
    return this.once('sealedValues', () => new SealedValuesRepository(this.db));
  }
  get snapshots() {
    return this.once('snapshots', () => new SnapshotRepository(this.db));
  }
  get tenants() {
    return this.once('tenants', () => new TenantRepository(this.db, this.ring));
  }
  get uploads() {
    return this.once('uploads', () => new UploadRepository(this.db));
  }
  get uploadStating() {
    return this.once('uploadStating', () => new UploadStatingRepository(this.db));
  }
  get webhooks() {
    return this.once('webhooks', () => new WebhookSubscriptionRepository(this.db, this.ring));
  }
}
