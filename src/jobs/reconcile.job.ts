// Reconciliation (services/reconcile.service.ts), scheduled: each run asks, per tenant, for the
// re-reads webhooks missed; the workers' scheduler (orcid-work.scheduler.ts) claims them.
import { z } from 'zod';
import { declareJob } from './job.js';

export const reconcileJob = declareJob({
  name: 'reconcile',
  payload: z.object({}),
  retry: { limit: 0, delaySeconds: 0, backoff: false },
  schedule: { everySeconds: (c) => c.reconcileIntervalSeconds, payload: () => ({}) },
  async handle(c) {
    for (const tenantId of await c.repos.tenants.workingIds()) {
      const plan = await c.sync.reconcile.run(tenantId, c.reconcileIntervalSeconds);
      if (plan.queued) c.logger.debug({ tenantId, ...plan }, 'reconciliation asked for re-reads');
    }
  },
});
