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

export class ItemStillRetrying extends Error {}

export async function enqueueWrites(queue: Queue, tenantId: string, itemIds: string[]): Promise<void> {
  for (const itemId of itemIds)
    await queue.enqueue(writeItemJob, { tenantId, itemId }, { singletonKey: itemId });
}
