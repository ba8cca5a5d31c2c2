// ORCID webhook subscriptions of links (services/webhooks.service.ts): registered when a link of
// a tenant with webhooks is made, unregistered when it ends, and a daily repair that makes every
// active link subscribed and leaves none for an ended one. Transient ORCID failures are retried.
import { z } from 'zod';
import type { Queue } from '../queue/queue.js';
import type { WebhookQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const webhookJob = declareJob({
  name: 'orcid-webhook',
  payload: z.object({ tenantId: z.uuid(), linkId: z.uuid(), action: z.enum(['subscribe', 'unsubscribe']) }),
  retry: { limit: 10, delaySeconds: 30, backoff: true },
  policy: 'stately',
  concurrency: 4,
  async handle(c, p) {
    if (p.action === 'subscribe') await c.sync.webhooks.subscribe(p.tenantId, p.linkId);
    else await c.sync.webhooks.unsubscribe(p.tenantId, p.linkId);
  },
});

export const webhookRepairJob = declareJob({
  name: 'orcid-webhook-repair',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 300, backoff: false },
  policy: 'singleton',
  schedule: { cron: '17 3 * * *', payload: () => ({}) },
  async handle(c) {
    for (const tenantId of await c.repos.tenants.workingIds()) {
      const r = await c.sync.webhooks.repair(tenantId);
      if (r.subscribed || r.unsubscribed) c.logger.info({ tenantId, ...r }, 'webhook subscriptions repaired');
    }
  },
});

export function webhookQueue(queue: Queue): WebhookQueue {
  return {
    async enqueueWebhook(tenantId, linkId, action) {
      await queue.enqueue(webhookJob, { tenantId, linkId, action }, { singletonKey: `${linkId}:${action}` });
    },
  };
}
