// The composition root: every repository, port and service of a process is built here, once,
// from the database, the key ring and the settings the role was started with. The web role,
// the worker, the CLI, tests and benches take their parts from a Container; nothing else builds
// a repository or a service (docs/architecture.md). Parts are built when first asked for, so a
// process pays only for what it uses (the CLI opens no ORCID transport, the web no mailer).
import { type Kysely, sql } from 'kysely';
import type { Config } from '../config.js';
import type { KeyRing } from '../crypto/key-ring.js';
import type { Db } from '../db/database.js';
import { InstallationFiguresRepository } from '../db/installation-figures.repository.js';
import { NoticeListener } from '../db/notices.js';
import { PgRateLimiter, tenantRateLimits } from '../db/orcid-rate-limiter.js';
import { OrcidWorkRepository } from '../db/orcid-work.repository.js';
import { PortalViewRepository } from '../db/portal-view.repository.js';
import type { UnitOfWork } from '../db/repositories.js';
import type { Database } from '../db/schema.js';
import { PgSessionStore } from '../db/session.store.js';
import { DemoDirectory } from '../identity/demo-directory.js';
import { OidcSignIn } from '../identity/oidc-sign-in.js';
import { SamlSignIn } from '../identity/saml-sign-in.js';
import { allRecorders, callLogger, type Logger } from '../logger.js';
import { Metrics } from '../metrics/metrics.js';
import { OrcidTransport, type TransportOptions } from '../orcid/transport.js';
import { documentFetcher } from '../outbound/document-fetcher.js';
import { eventSender } from '../outbound/event-sender.js';
import { OutboundGuard } from '../outbound/outbound-guard.js';
import type { Platform } from '../platform.js';
import { AdminAccessService } from '../services/admin-access.service.js';
import { ApiKeyService } from '../services/api-keys.service.js';
import { CollectService } from '../services/collect.service.js';
import { ConnectOrcidService } from '../services/connect-orcid.service.js';
import { DisconnectOrcidService } from '../services/disconnect-orcid.service.js';
import { EventService } from '../services/events.service.js';
import { HealthService } from '../services/health.service.js';
import { InvitationMailService, personInviter, reconsentInviter } from '../services/invitation.service.js';
import { ItemIntakeService, type PersonInviter } from '../services/item-intake.service.js';
import { OrcidClients } from '../services/orcid-clients.js';
import { OrganisationRenameService } from '../services/organisation-rename.service.js';
import { PortalService } from '../services/portal.service.js';
import type { JobQueuePorts, Mailer, QueuePorts } from '../services/ports.js';
import { RecordSyncRequests } from '../services/record-sync-requests.js';
import { SignInService } from '../services/sign-in.service.js';
import { TenantDirectory } from '../services/tenant-directory.js';
import { TenantSettingsService } from '../services/tenant-settings.service.js';
import { UploadService } from '../services/upload.service.js';
import { DEFAULT_LEASE_MS, WriteItemService } from '../services/write-item.service.js';
import { ConsoleParts } from './console-parts.js';
import { OperatorParts } from './operator-parts.js';
import { Parts } from './parts.js';
import { RepositorySet } from './repository-set.js';
import { SyncParts } from './sync-parts.js';

export interface ContainerOptions {
  database: Db;
  /** The database's URL: tenant change notices are listened for on a connection of their own. */
  databaseUrl?: string;
  ring: KeyRing;
  logger: Logger;
  /** The bundled simulator, for tenants on the `local` ORCID environment. */
  localOrcidUrl: string;
  /** Where people reach the portal (links in mail); the web role may set it once it listens. */
  publicUrl?: string;
  /** Where services send follow-up work; a process without them (CLI reads) cannot send any. */
  queues?: JobQueuePorts;
  /** Null: mail is only kept in the outbox. */
  mailer?: Mailer | null;
  orcidTransport?: TransportOptions;
  /** See LANYARD_WRITE_LEASE_SECONDS (default 300). */
  writeLeaseSeconds?: number;
  /** See LANYARD_WRITE_CONCURRENCY (default 64). */
  writeConcurrency?: number;
  /** See LANYARD_CALL_LOG_RETENTION_DAYS (default 90). */
  callLogRetentionDays?: number;
  /** See LANYARD_OUTBOUND_ALLOW: ranges events may go to although not public (default none). */
  outboundAllow?: readonly string[];
  /** See LANYARD_RECONCILE_INTERVAL_SECONDS (default 60). */
  reconcileIntervalSeconds?: number;
  /** How long the installation's figures in the metrics are kept (default 10 s). */
  metricsFiguresTtlMs?: number;
  /** The job queue's figures and reachability (readiness, metrics); absent in a process without one. */
  jobQueue?: JobQueueProbe;
  /** Administrators by configuration ("slug:local-id", LANYARD_ADMINS). */
  configuredAdmins?: readonly string[];
  /** Operators by configuration (e-mail addresses, LANYARD_OPERATORS). */
  configuredOperators?: readonly string[];
  /** Connects to the SMTP server, for the operator's installation health; absent without one. */
  mailCheck?: () => Promise<void>;
}

/** What the container may ask of the job queue (src/queue/queue.ts). */
export interface JobQueueProbe {
  reachable(): Promise<void>;
  waiting(): Promise<Array<{ name: string; tenant: string; waiting: number; oldestSeconds: number }>>;
}

/** The queues of a process started without one (the CLI's reads): sending anything is refused. */
const noQueue = async (): Promise<never> => {
  throw new Error('this process was started without a job queue');
};
const NO_QUEUES: JobQueuePorts = {
  uploadStating: { enqueueStating: noQueue },
  revocations: { enqueueRevocation: noQueue },
  invitationMail: { enqueueInvitation: noQueue },
  webhooks: { enqueueWebhook: noQueue },
  events: { enqueueDeliveries: noQueue },
  adminInvitationMail: { enqueueAdminInvitation: noQueue },
  organisationDeletions: { enqueueDeletion: noQueue },
};

export class Container extends Parts {
  readonly database: Db;
  readonly db: Kysely<Database>;
  readonly ring: KeyRing;
  readonly logger: Logger;
  readonly localOrcidUrl: string;
  /** Where people reach the portal; read by the parts that write links, when they are built. */
  publicUrl: string;
  /** Repositories on the pool. */
  readonly repos: RepositorySet;
  readonly unitOfWork: UnitOfWork;
  private notices: NoticeListener | null = null;
  private readonly workListeners = new Set<(tenantId: string | null) => void>();

  constructor(private readonly o: ContainerOptions) {
    super();
    this.database = o.database;
    this.db = o.database.db;
    this.ring = o.ring;
    this.logger = o.logger;
    this.localOrcidUrl = o.localOrcidUrl;
    this.publicUrl = o.publicUrl ?? '';
    this.repos = new RepositorySet(this.db, this.ring);
    this.unitOfWork = (work) =>
      this.db.transaction().execute((trx) => work(new RepositorySet(trx, this.ring)));
  }

  get queues(): JobQueuePorts {
    return this.o.queues ?? NO_QUEUES;
  }

  get mailer(): Mailer | null {
    return this.o.mailer ?? null;
  }

  get writeConcurrency(): number {
    return this.o.writeConcurrency ?? 64;
  }

  get callLogRetentionDays(): number {
    return this.o.callLogRetentionDays ?? 90;
  }

  get reconcileIntervalSeconds(): number {
    return this.o.reconcileIntervalSeconds ?? 60;
  }

  get writeLeaseMs(): number {
    return this.o.writeLeaseSeconds ? this.o.writeLeaseSeconds * 1000 : DEFAULT_LEASE_MS;
  }

  get health() {
    return this.once(
      'health',
      () =>
        new HealthService({
          database: async () => {
            await sql`select 1`.execute(this.db);
          },
          ...(this.o.jobQueue ? { queue: () => this.o.jobQueue!.reachable() } : {}),
        }),
    );
  }

  /** The demo directory's accounts (organisations whose sign-in includes it). */
  get directory() {
    return this.once('directory', () => new DemoDirectory(this.db));
  }

  /** The person's portal page, a prepared statement on the pool. */
  get portalViews() {
    return this.once('portalViews', () => new PortalViewRepository(this.database));
  }

  /** Web sessions, read by a prepared statement on the pool. */
  get sessions() {
    return this.once('sessions', () => new PgSessionStore(this.database));
  }

  /** The tenants this process keeps, and what it derives from them (ORCID clients, tokens). */
  get tenantDirectory() {
    return this.once('tenantDirectory', () => new TenantDirectory(this.repos.tenants));
  }

  /**
   * Hears what other processes announce: tenant changes keep the directory current (a process
   * that does not listen keeps tenants a few seconds at most), queued ORCID work wakes this
   * process's scheduler (onWorkQueued). The web role and the worker call it once started.
   */
  async listenForNotices(): Promise<void> {
    if (!this.o.databaseUrl || this.notices) return;
    this.notices = new NoticeListener(
      this.o.databaseUrl,
      (channel, id) => {
        if (channel === 'lanyard_orcid_work') {
          for (const listener of this.workListeners) listener(id);
          return;
        }
        this.tenantDirectory.changed(id);
        this.logger.debug({ tenantId: id }, 'tenant changed');
      },
      (e) => this.logger.warn(e, 'notices between processes interrupted'),
    );
    await this.notices.start();
    this.tenantDirectory.heard();
  }

  /** Called when any process queued ORCID work (the tenant's id; null: notices may have been missed). */
  onWorkQueued(listener: (tenantId: string | null) => void): () => void {
    this.workListeners.add(listener);
    return () => this.workListeners.delete(listener);
  }

  /** ORCID's rate limit per client, shared by every process (the transport and the scheduler). */
  get rateLimiter() {
    return this.once(
      'rateLimiter',
      () =>
        new PgRateLimiter(this.db, tenantRateLimits(this.db), undefined, (ms) =>
          this.metrics.limiterWaited(ms),
        ),
    );
  }

  /** This process's metrics, and the installation's figures read when scraped (docs/deployment.md). */
  get metrics() {
    return this.once('metrics', () => {
      const figures = new InstallationFiguresRepository(this.db);
      const queue = this.o.jobQueue;
      return new Metrics(
        {
          waiting: async () => [
            ...(await this.orcidWork.backlog()).map((w) => ({
              kind: `orcid-${w.kind}`,
              tenant: w.tenant_id,
              waiting: w.waiting,
              oldestSeconds: w.oldest_s,
            })),
            ...(queue ? (await queue.waiting()).map((j) => ({ ...j, kind: j.name })) : []),
          ],
          items: () => figures.items(),
          links: () => figures.links(),
          syncLag: () => figures.syncLag(),
        },
        this.o.metricsFiguresTtlMs,
      );
    });
  }

  /** Where ORCID work is ready across tenants (the scheduler's first look). */
  get orcidWork() {
    return this.once('orcidWork', () => new OrcidWorkRepository(this.db));
  }

  /**
   * Where services send writes and re-reads: the items table and the links are those queues
   * (the scheduler claims from them), so these ports store and announce rather than send jobs.
   */
  get workPorts(): Pick<QueuePorts, 'writes' | 'recordSync'> {
    return this.once('workPorts', () => ({
      writes: { enqueueWrites: (tenantId: string) => this.repos.items.announceQueued(tenantId) },
      recordSync: new RecordSyncRequests(this.repos.links),
    }));
  }

  /** Each organisation's ORCID client, over one transport per process that logs every call. */
  get orcid() {
    return this.once('orcid', () => {
      const transport = new OrcidTransport({
        recorder: allRecorders(this.repos.orcidCalls, callLogger(this.logger), this.metrics),
        limiter: this.rateLimiter,
        onRecorderError: (e) => this.logger.error(e, 'could not record an ORCID call'),
        ...this.o.orcidTransport,
      });
      return new OrcidClients(this.repos.tenants, this.tenantDirectory, transport, this.localOrcidUrl);
    });
  }

  /** Institutional sign-in by OIDC (each organisation's provider, its configuration cached). */
  get oidcSignIn() {
    return this.once('oidcSignIn', () => new OidcSignIn());
  }

  /** Institutional sign-in by SAML; each request is bound to the browser session that sent it. */
  get samlSignIn() {
    return this.once('samlSignIn', () => new SamlSignIn(this.repos.samlRequests));
  }

  get portal() {
    return this.once(
      'portal',
      () =>
        new PortalService({ people: this.repos.people, links: this.repos.links, views: this.portalViews }),
    );
  }

  get signIns() {
    return this.once(
      'signIns',
      () =>
        new SignInService({
          people: this.repos.people,
          tenants: this.repos.tenants,
          links: this.repos.links,
          log: this.repos.portalLog,
        }),
    );
  }

  get adminAccess() {
    return this.once(
      'adminAccess',
      () => new AdminAccessService(this.repos.adminUsers, this.o.configuredAdmins ?? []),
    );
  }

  get apiKeys() {
    return this.once('apiKeys', () => new ApiKeyService(this.repos.apiKeys, this.repos.portalLog));
  }

  get inviter(): PersonInviter {
    return this.once('inviter', () => personInviter(this.repos.invitations, this.queues.invitationMail));
  }

  get reconsent() {
    return this.once('reconsent', () => reconsentInviter(this.repos.invitations, this.queues.invitationMail));
  }

  get intake() {
    return this.once(
      'intake',
      () =>
        new ItemIntakeService({
          tenants: this.repos.tenants,
          people: this.repos.people,
          items: this.repos.items,
          links: this.repos.links,
          writes: this.workPorts.writes,
          invitations: this.inviter,
        }),
    );
  }

  get connect() {
    return this.once(
      'connect',
      () =>
        new ConnectOrcidService({
          links: this.repos.links,
          states: this.repos.oauthStates,
          snapshots: this.repos.snapshots,
          log: this.repos.portalLog,
          orcid: this.orcid,
          logger: this.logger,
          afterConnect: (tenantId, personId, orcid) => this.intake.onConnected(tenantId, personId, orcid),
          records: this.repos.records,
          recordSync: this.workPorts.recordSync,
          webhooks: this.queues.webhooks,
          events: this.events,
        }),
    );
  }

  get disconnect() {
    return this.once(
      'disconnect',
      () =>
        new DisconnectOrcidService({
          tenants: this.repos.tenants,
          links: this.repos.links,
          log: this.repos.portalLog,
          orcid: this.orcid,
          revocations: this.queues.revocations,
          webhooks: this.queues.webhooks,
          records: this.repos.records,
          events: this.events,
          logger: this.logger,
        }),
    );
  }

  /** An organisation's settings, from the console and the CLI alike. */
  get tenantSettings() {
    return this.once(
      'tenantSettings',
      () =>
        new TenantSettingsService({
          tenants: this.repos.tenants,
          log: this.repos.portalLog,
          changed: (tenantId) => this.tenantDirectory.changed(tenantId),
          orcid: this.orcid,
          documents: documentFetcher(this.outboundGuard),
        }),
    );
  }

  /** The organisation console's services. */
  get console(): ConsoleParts {
    return this.once('console', () => new ConsoleParts(this));
  }

  get operator(): OperatorParts {
    return this.once(
      'operator',
      () =>
        new OperatorParts(this, {
          configured: this.o.configuredOperators ?? [],
          ...(this.o.jobQueue ? { queueWaiting: () => this.o.jobQueue!.waiting() } : {}),
          ...(this.o.mailCheck ? { mailCheck: this.o.mailCheck } : {}),
        }),
    );
  }

  get uploads() {
    return this.once(
      'uploads',
      () =>
        new UploadService({
          repos: this.repos,
          unitOfWork: this.unitOfWork,
          writes: this.workPorts.writes,
          stating: this.queues.uploadStating,
          invitations: this.inviter,
          events: this.events,
        }),
    );
  }

  get rename() {
    return this.once(
      'rename',
      () => new OrganisationRenameService({ unitOfWork: this.unitOfWork, writes: this.workPorts.writes }),
    );
  }

  get invitationMail() {
    return this.once(
      'invitationMail',
      () =>
        new InvitationMailService({
          invitations: this.repos.invitations,
          tenants: this.repos.tenants,
          mailer: this.mailer,
          publicUrl: this.publicUrl,
          logger: this.logger,
        }),
    );
  }

  get writer() {
    return this.once(
      'writer',
      () =>
        new WriteItemService({
          directory: this.tenantDirectory,
          items: this.repos.items,
          links: this.repos.links,
          records: this.repos.records,
          webhooks: this.queues.webhooks,
          events: this.events,
          reconsent: this.reconsent,
          orcid: this.orcid,
          logger: this.logger,
          leaseMs: this.writeLeaseMs,
        }),
    );
  }

  get collect() {
    return this.once(
      'collect',
      () => new CollectService({ people: this.repos.people, records: this.repos.records }),
    );
  }

  /** The SSRF guard for every address an organisation gives (event endpoints, IdP metadata). */
  get outboundGuard() {
    return this.once('outboundGuard', () => new OutboundGuard(this.o.outboundAllow ?? []));
  }

  /** Events to the organisation's systems, sent through the SSRF guard. */
  get events() {
    return this.once(
      'events',
      () =>
        new EventService({
          events: this.repos.events,
          log: this.repos.portalLog,
          people: this.repos.people,
          queue: this.queues.events,
          sender: eventSender(this.outboundGuard),
          logger: this.logger,
        }),
    );
  }

  /** The Synchronize services: webhooks, re-reads, reconciliation, token health, registry search. */
  get sync(): SyncParts {
    return this.once('sync', () => new SyncParts(this));
  }

  /** Closes what the parts opened (the ORCID transport, the mailer); the database is the caller's. */
  async close(): Promise<void> {
    await this.notices?.close();
    if (this.has('orcid')) await this.orcid.close();
    this.o.mailer?.close();
  }
}

/** The bundled simulator's address, for tenants on the `local` ORCID environment. */
export function localOrcidUrl(config: Config): string {
  return config.LANYARD_LOCAL_ORCID_URL ?? `http://127.0.0.1:${config.LANYARD_SANDBOX_PORT}`;
}

/** A process's container, from the opened platform and the configuration. */
export function containerOf(
  platform: Platform,
  config: Config,
  o: Pick<ContainerOptions, 'logger' | 'queues' | 'mailer' | 'orcidTransport' | 'jobQueue'>,
): Container {
  return new Container({
    database: platform.db,
    databaseUrl: platform.url,
    ring: platform.ring,
    localOrcidUrl: localOrcidUrl(config),
    publicUrl: config.LANYARD_PUBLIC_URL ?? `http://${config.LANYARD_HOST}:${config.LANYARD_PORT}`,
    writeLeaseSeconds: config.LANYARD_WRITE_LEASE_SECONDS,
    writeConcurrency: config.LANYARD_WRITE_CONCURRENCY,
    reconcileIntervalSeconds: config.LANYARD_RECONCILE_INTERVAL_SECONDS,
    outboundAllow: config.LANYARD_OUTBOUND_ALLOW,
    callLogRetentionDays: config.LANYARD_CALL_LOG_RETENTION_DAYS,
    configuredAdmins: config.LANYARD_ADMINS,
    configuredOperators: config.LANYARD_OPERATORS,
    ...(config.LANYARD_SMTP_URL
      ? { mailCheck: async () => (await import('../mail/mailer.js')).checkSmtp(config.LANYARD_SMTP_URL!) }
      : {}),
    ...o,
  });
}
