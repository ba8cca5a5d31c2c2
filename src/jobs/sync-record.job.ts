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

export function recordSyncQueue(queue: Queue): RecordSyncQueue {
  return {
    async enqueueSync(tenantId, linkId, reason, delaySeconds) {
      const id = await queue.enqueue(
        syncRecordJob,
        { tenantId, linkId, reason },
        { singletonKey: linkId, ...(delaySeconds ? { startAfterSeconds: Math.round(delaySeconds) } : {}) },
      );
      return id !== null;
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
