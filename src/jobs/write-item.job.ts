// Writes one item to ORCID (worker role). One job per item at a time (stately, keyed by the
// item); transient ORCID failures retry with exponential backoff, the last one ends `failed`.
import { z } from 'zod';
import { defineJob, type Queue } from '../queue/queue.js';

export const writeItemJob = defineJob({
  name: 'write-item',
  payload: z.object({ tenantId: z.uuid(), itemId: z.uuid() }),
  retry: { limit: 8, delaySeconds: 5, backoff: true },
  policy: 'stately',
});

/** Thrown by the handler so pg-boss retries the job (the item is `retrying`). */
export class ItemStillRetrying extends Error {}

export interface ItemWriteQueue {
  enqueueWrites(tenantId: string, itemIds: string[]): Promise<void>;
}

export function itemWriteQueue(queue: Queue): ItemWriteQueue {
  return {
    async enqueueWrites(tenantId, itemIds) {
      for (const itemId of itemIds)
        await queue.enqueue(writeItemJob, { tenantId, itemId }, { singletonKey: itemId });
    },
  };
}
