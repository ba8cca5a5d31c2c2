// Writes one item to ORCID (worker role). One waiting job per item (`short`, keyed by the item);
// the item's lease, not the queue, keeps two workers from writing it at once. Transient ORCID
// failures retry with exponential backoff, the last one ends `failed`.
//
// Not `stately`: pg-boss then allows one active job per key, and a job left active by a worker
// that died (kill -9) would block the item's next job, and with it every fetch that includes it,
// until the dead job expires. (The queue was `write-item` with that policy; a queue's policy
// cannot change, hence the new name. Items whose jobs stayed in the old queue are found by the
// worker's sweep: queued, without a lease, for longer than the lease.)
import { z } from 'zod';
import type { ItemRepository } from '../db/item.repository.js';
import { defineJob, type Queue } from '../queue/queue.js';
import type { ItemWriteQueue } from '../services/ports.js';

export const writeItemJob = defineJob({
  name: 'item-write',
  payload: z.object({ tenantId: z.uuid(), itemId: z.uuid() }),
  retry: { limit: 8, delaySeconds: 5, backoff: true },
  policy: 'short',
});

/** Thrown by the handler so pg-boss retries the job (the item is `retrying`). */
export class ItemStillRetrying extends Error {}

export function itemWriteQueue(queue: Queue): ItemWriteQueue {
  return {
    async enqueueWrites(tenantId, itemIds, options = {}) {
      await queue.enqueueMany(
        writeItemJob,
        itemIds.map((itemId) => ({
          payload: { tenantId, itemId },
          singletonKey: itemId,
          ...(options.delaySeconds ? { startAfterSeconds: options.delaySeconds } : {}),
        })),
      );
    },
  };
}

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
