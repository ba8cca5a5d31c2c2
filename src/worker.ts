// The worker role: registers every job and its handler. Calls to ORCID that are not part of a
// person's request run here.
import { setFlagsFromString } from 'node:v8';
import type { Kysely } from 'kysely';
import type { KeyRing } from './crypto/key-ring.js';
import { InvitationRepository } from './db/invitation.repository.js';
import { ItemRepository } from './db/item.repository.js';
import { OrcidLinkRepository } from './db/orcid-link.repository.js';
import { PortalLogRepository } from './db/portal-log.repository.js';
import type { Database } from './db/schema.js';
import { TenantRepository } from './db/tenant.repository.js';
import { purgeCallLog, purgeCallLogJob } from './jobs/purge-call-log.job.js';
import { purgeExpiredState, purgeExpiredStateJob } from './jobs/purge-expired-state.job.js';
import {
  revocationQueue,
  revocationSweepJob,
  revokeTokenJob,
  sweepRevocations,
} from './jobs/revoke-token.job.js';
import { invitationMailQueue, sendInvitationJob } from './jobs/send-invitation.job.js';
import { stateUploadJob, uploadStatingQueue } from './jobs/state-upload.job.js';
import {
  ItemStillRetrying,
  itemWriteQueue,
  requeueAbandonedWrites,
  writeItemJob,
} from './jobs/write-item.job.js';
import type { Logger } from './logger.js';
import type { TransportOptions } from './orcid/transport.js';
import type { Queue } from './queue/queue.js';
import { DisconnectOrcidService } from './services/disconnect-orcid.service.js';
import { InvitationMailService, personInviter } from './services/invitation.service.js';
import { OrcidClients } from './services/orcid-clients.js';
import type { Mailer } from './services/ports.js';
import { UploadService } from './services/upload.service.js';
import { WriteItemService } from './services/write-item.service.js';

export interface WorkerDeps {
  db: Kysely<Database>;
  ring: KeyRing;
  queue: Queue;
  logger: Logger;
  localOrcidUrl: string;
  callLogRetentionDays: number;
  orcidTransport?: TransportOptions;
  pollingSeconds?: number;
  /** Items written at once by this process (default 64; LANYARD_WRITE_CONCURRENCY). */
  writeConcurrency?: number;
  /** See LANYARD_WRITE_LEASE_SECONDS (default 300). */
  writeLeaseSeconds?: number;
  /** Where people reach the portal (links in invitations). */
  publicUrl: string;
  /** Null: mail is only kept in the outbox. */
  mailer: Mailer | null;
}

/** Starts the handlers; the returned function closes what the worker opened (after queue.stop). */
/**
 * After each full collection V8 lets the heap grow up to four times what survived before the next
 * one. A job reading an upload makes garbage quickly, so the heap would sit at several times its
 * live size; growing it by half at most keeps a worker's memory near what it uses, for a few more
 * (short) collections. V8 reads this setting at every collection, so it applies once set here.
 */
const HEAP_GROWING_PERCENT = 50;

export async function startWorker(d: WorkerDeps): Promise<() => Promise<void>> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const { db, queue, logger } = d;
  const tenants = new TenantRepository(db, d.ring);
  const links = new OrcidLinkRepository(db, d.ring);
  const orcid = new OrcidClients(db, tenants, {
    localOrcidUrl: d.localOrcidUrl,
    logger,
    ...(d.orcidTransport ? { transport: d.orcidTransport } : {}),
  });
  const revocations = revocationQueue(queue);
  const disconnect = new DisconnectOrcidService({
    tenants,
    links,
    log: new PortalLogRepository(db),
    orcid,
    revocations,
    logger,
  });
  const polling = d.pollingSeconds ? { pollingSeconds: d.pollingSeconds } : {};

  await queue.register(purgeCallLogJob);
  await queue.work(purgeCallLogJob, async (p) => {
    const n = await purgeCallLog(db, p.olderThanDays);
    logger.info({ deleted: n }, 'purged old ORCID calls');
  });
  await queue.schedule(purgeCallLogJob, '17 3 * * *', { olderThanDays: d.callLogRetentionDays });

  await queue.register(purgeExpiredStateJob);
  await queue.work(purgeExpiredStateJob, async () => {
    logger.info(await purgeExpiredState(db), 'purged expired sessions, OAuth states and SAML requests');
  });
  await queue.schedule(purgeExpiredStateJob, '7 * * * *', {});

  const items = new ItemRepository(db);
  const leaseSeconds = d.writeLeaseSeconds ?? 300;
  const writer = new WriteItemService({ tenants, items, links, orcid, logger, leaseMs: leaseSeconds * 1000 });
  await queue.register(writeItemJob);
  await queue.workBatch(
    writeItemJob,
    async (jobs) => {
      const outcomes = await writer.writeMany(
        jobs.map(({ payload, job }) => ({
          ...payload,
          finalAttempt: job.retryCount >= writeItemJob.retry.limit,
        })),
      );
      return outcomes.map((o, k) => {
        if (o instanceof Error) return o;
        // Retry later: ORCID failed transiently, or another worker holds the item right now.
        if (o?.status === 'retrying' || o?.action === 'busy')
          return new ItemStillRetrying(`item ${jobs[k]!.payload.itemId}: ${o.detail ?? o.action}`);
        return null;
      });
    },
    // Several items in flight per process: ORCID's latency, not our CPU, bounds one at a time.
    { ...polling, concurrency: 2, batchSize: Math.ceil((d.writeConcurrency ?? 64) / 2) },
  );

  // A worker that died (kill -9, lost machine) leaves the items it was writing leased, and the
  // jobs it had fetched active in pg-boss until they expire (15 minutes). Once the lease has run
  // out they are queued again; the next attempt adopts whatever reached ORCID.
  const writes = itemWriteQueue(queue);
  const sweep = setInterval(
    () =>
      void requeueAbandonedWrites(items, writes, leaseSeconds * 1000).then(
        (n) => n && logger.info({ items: n }, 'looked again at writes a stopped worker may have left'),
        (e) => logger.error(e, 'write sweep failed'),
      ),
    Math.min(leaseSeconds, 60) * 1000,
  );
  sweep.unref();

  const invitationMail = new InvitationMailService({
    invitations: new InvitationRepository(db),
    tenants,
    mailer: d.mailer,
    publicUrl: d.publicUrl,
    logger,
  });
  await queue.register(sendInvitationJob);
  await queue.work(sendInvitationJob, (p) => invitationMail.send(p.tenantId, p.invitationId), polling);

  const uploads = new UploadService({
    db,
    ring: d.ring,
    writes,
    stating: uploadStatingQueue(queue),
    invitations: personInviter(new InvitationRepository(db), invitationMailQueue(queue)),
  });
  await queue.register(stateUploadJob);
  await queue.work(
    stateUploadJob,
    (p, job) =>
      uploads.state(p.tenantId, p.uploadId, { finalAttempt: job.retryCount >= stateUploadJob.retry.limit }),
    // Someone watches an upload's page as it starts: it is taken within half a second.
    { pollingSeconds: d.pollingSeconds ?? 0.5 },
  );

  await queue.register(revokeTokenJob);
  await queue.work(
    revokeTokenJob,
    async (p, job) => {
      await disconnect.revokePending(p.tenantId, p.linkId);
      logger.info({ linkId: p.linkId, attempt: job.retryCount + 1 }, 'token revoked at ORCID');
    },
    polling,
  );
  await queue.register(revocationSweepJob);
  await queue.work(revocationSweepJob, async () => {
    const n = await sweepRevocations(links, revocations);
    if (n) logger.info({ pending: n }, 're-enqueued pending revocations');
  });
  await queue.schedule(revocationSweepJob, '*/10 * * * *', {});
  return async () => {
    clearInterval(sweep);
    await orcid.close();
    d.mailer?.close();
  };
}
