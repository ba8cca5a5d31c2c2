// Re-reads one connected record into the collected copy (services/record-sync.service.ts), and
// reconciliation, which queues the re-reads webhooks missed (services/reconcile.service.ts). One
// job per link at a time, coalesced by the queue's stately policy keyed by the link: while a
// re-read is waiting, more notifications add nothing; one arriving while a re-read runs queues
// exactly one more. Transient ORCID failures are retried with backoff.
import { z } from 'zod';
import type { Queue } from '../queue/queue.js';
import type { RecordSyncQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const syncRecordJob = declareJob({
  name: 'sync-record',
  payload: z.object({ tenantId: z.uuid(), linkId: z.uuid(), reason: z.string().max(40) }),
  retry: { limit: 8, delaySeconds: 15, backoff: true },
  policy: 'stately',
  concurrency: 8,
  pollingSeconds: 0.5,
  async handle(c, p) {
    const outcome = await c.recordSync.sync(p.tenantId, p.linkId);
    c.logger.debug({ linkId: p.linkId, reason: p.reason, outcome: outcome.kind }, 'record synchronised');
  },
});

/** How long notifications wait to be queued together (one insert for a burst). */
const BATCH_MS = 3;
const BATCH_MAX = 500;

/**
 * The port. Re-reads asked without a delay (notifications, connects) are gathered for a few
 * milliseconds and queued with one insert; the queue's stately policy keeps one waiting re-read
 * per link however many arrive. Each caller's promise settles when its insert has committed.
 */
export function recordSyncQueue(queue: Queue): RecordSyncQueue {
  let batch = new Map<string, { tenantId: string; linkId: string; reason: string }>();
  let waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const jobs = [...batch.values()];
    const settle = waiters;
    batch = new Map();
    waiters = [];
    queue
      .enqueueMany(
        syncRecordJob,
        jobs.map((payload) => ({ payload, singletonKey: payload.linkId })),
      )
      .then(
        () => {
          for (const w of settle) w.resolve();
        },
        (e) => {
          for (const w of settle) w.reject(e);
        },
      );
  };
  return {
    async enqueueSync(tenantId, linkId, reason, delaySeconds) {
      if (delaySeconds) {
        await queue.enqueue(
          syncRecordJob,
          { tenantId, linkId, reason },
          { singletonKey: linkId, startAfterSeconds: Math.round(delaySeconds) },
        );
        return;
      }
      if (!batch.has(linkId)) batch.set(linkId, { tenantId, linkId, reason });
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      if (batch.size >= BATCH_MAX) flush();
      else timer ??= setTimeout(flush, BATCH_MS);
      return done;
    },
  };
}

export const reconcileJob = declareJob({
  name: 'reconcile',
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 0, backoff: false },
  schedule: { everySeconds: (c) => c.reconcileIntervalSeconds, payload: () => ({}) },
  async handle(c) {
    for (const tenantId of await c.repos.tenants.ids()) {
      const plan = await c.reconcile.run(tenantId, c.reconcileIntervalSeconds);
      if (plan.queued) c.logger.debug({ tenantId, ...plan }, 'reconciliation queued re-reads');
    }
  },
});
