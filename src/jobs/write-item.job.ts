// Writes items to ORCID (worker role). One waiting job per item (`short`, keyed by the item);
// the item's lease, not the queue, keeps two workers from writing it at once. Transient ORCID
// failures retry with exponential backoff, the last one ends `failed`. Jobs are taken in batches,
// so that a batch of items is claimed and recorded in one statement each.
//
// Not `stately`: pg-boss then allows one active job per key, and a job left active by a worker
// that died (kill -9) would block the item's next job, and with it every fetch that includes it,
// until the dead job expires. (The queue was `write-item` with that policy; a queue's policy
// cannot change, hence the new name. Items whose jobs stayed in the old queue are found by the
// sweep below: queued, without a lease, for longer than the lease.)
import { z } from 'zod';
import type { ItemRepository } from '../db/item.repository.js';
import type { Queue } from '../queue/queue.js';
import type { ItemWriteQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const writeItemJob = declareJob({
  name: 'item-write',
  payload: z.object({ tenantId: z.uuid(), itemId: z.uuid() }),
  retry: { limit: 8, delaySeconds: 5, backoff: true },
  policy: 'short',
  // Several items in flight per process: ORCID's latency, not our CPU, bounds one at a time.
  concurrency: 2,
  batchSize: (c) => Math.ceil(c.writeConcurrency / 2),
  async handleBatch(c, jobs) {
    const outcomes = await c.writer.writeMany(
      jobs.map(({ payload, job }) => ({ ...payload, finalAttempt: job.finalAttempt })),
    );
    return outcomes.map((o, k) => {
      if (o instanceof Error) return o;
      // Retry later: ORCID failed transiently, or another worker holds the item right now.
      if (o?.status === 'retrying' || o?.action === 'busy')
        return new ItemStillRetrying(`item ${jobs[k]!.payload.itemId}: ${o.detail ?? o.action}`);
      return null;
    });
  },
});

/** Fails an attempt so that pg-boss retries the job (the item is `retrying`). */
export class ItemStillRetrying extends Error {}

export function itemWriteQueue(queue: Queue): ItemWriteQueue {
  return {
    async enqueueWrites(tenantId, itemIds) {
      await queue.enqueueMany(
        writeItemJob,
        itemIds.map((itemId) => ({ payload: { tenantId, itemId }, singletonKey: itemId })),
      );
    },
  };
}

/**
 * A worker that died (kill -9, lost machine) leaves the items it was writing leased, and the jobs
 * it had fetched active in pg-boss until they expire (15 minutes). Once the lease has run out they
 * are queued again; the next attempt adopts whatever reached ORCID. Runs once per interval
 * (the lease, at most a minute) across all workers.
 */
export const writeSweepJob = declareJob({
  name: 'write-sweep',
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 0, backoff: false },
  expireInSeconds: 5 * 60,
  pollingSeconds: 1,
  schedule: { everySeconds: (c) => Math.min(c.writeLeaseMs / 1000, 60), payload: () => ({}) },
  async handle(c) {
    const n = await requeueAbandonedWrites(c.repos.items, c.queues.writes, c.writeLeaseMs);
    if (n) c.logger.info({ items: n }, 'looked again at writes a stopped worker may have left');
  },
});

/** Queues again the items a dead worker may have taken with it; returns how many were looked at. */
export async function requeueAbandonedWrites(
  items: ItemRepository,
  writes: ItemWriteQueue,
  staleMs: number,
): Promise<number> {
  const abandoned = await items.abandoned(staleMs, 1000);
  const byTenant = new Map<string, string[]>();
  for (const a of abandoned) {
    const ids = byTenant.get(a.tenant_id) ?? [];
    ids.push(a.id);
    byTenant.set(a.tenant_id, ids);
  }
  for (const [tenantId, ids] of byTenant) await writes.enqueueWrites(tenantId, ids);
  return abandoned.length;
}
