// Daily: delete ORCID calls older than the retention period (the call log is kept by policy), in
// batches (orcid-call.repository.ts).
import { z } from 'zod';
import { declareJob } from './job.js';

export const purgeCallLogJob = declareJob({
  name: 'purge-call-log',
  payload: z.object({ olderThanDays: z.number().int().min(1) }),
  retry: { limit: 3, delaySeconds: 60, backoff: true },
  policy: 'singleton',
  schedule: { cron: '17 3 * * *', payload: (c) => ({ olderThanDays: c.callLogRetentionDays }) },
  async handle(c, p) {
    const r = await c.repos.orcidCalls.purgeOlderThan(p.olderThanDays);
    c.logger.info(r, 'purged old ORCID calls');
  },
});
