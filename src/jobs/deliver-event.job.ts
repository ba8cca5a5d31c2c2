// Delivers one event to one of the organisation's endpoints (services/events.service.ts), with
// exponential retries for up to a day: pg-boss waits 10 s doubling per retry, with up to as much
// again at random, so 12 retries span 11 to 23 hours. Every attempt is logged on the delivery.
import { z } from 'zod';
import type { Queue } from '../queue/queue.js';
import type { EventDeliveryQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const deliverEventJob = declareJob({
  name: 'deliver-event',
  payload: z.object({ tenantId: z.uuid(), deliveryId: z.uuid() }),
  retry: { limit: 12, delaySeconds: 10, backoff: true },
  concurrency: 8,
  pollingSeconds: 0.5,
  async handle(c, p, job) {
    await c.events.deliver(p.tenantId, p.deliveryId, job.finalAttempt);
  },
});

export function eventDeliveryQueue(queue: Queue): EventDeliveryQueue {
  return {
    async enqueueDeliveries(tenantId, deliveryIds) {
      await queue.enqueueMany(
        deliverEventJob,
        deliveryIds.map((deliveryId) => ({ payload: { tenantId, deliveryId } })),
      );
    },
  };
}
