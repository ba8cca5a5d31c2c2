// Token health, daily (services/token-health.service.ts): links expiring within 30 days are
// announced once and their people asked to renew; expired links end.
import { z } from 'zod';
import { declareJob } from './job.js';

export const tokenHealthJob = declareJob({
  name: 'token-health',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 300, backoff: false },
  policy: 'singleton',
  schedule: { cron: '41 4 * * *', payload: () => ({}) },
  async handle(c) {
    for (const tenantId of await c.repos.tenants.workingIds()) {
      const r = await c.sync.tokenHealth.run(tenantId);
      if (r.expired || r.expiring) c.logger.info({ tenantId, ...r }, 'token health');
    }
  },
});
