// Revokes at ORCID the token of a link that was ended while ORCID could not be reached. Retried
// with backoff (about a day in all); a sweep every ten minutes re-enqueues whatever is still
// pending, so a lost job cannot leave a token alive.
import { z } from 'zod';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Queue } from '../queue/queue.js';
import type { RevocationQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const revokeTokenJob = declareJob({
  name: 'revoke-token',
  payload: z.object({ tenantId: z.uuid(), linkId: z.uuid() }),
  retry: { limit: 12, delaySeconds: 30, backoff: true },
  policy: 'stately',
  async handle(c, p, job) {
    await c.disconnect.revokePending(p.tenantId, p.linkId);
    c.logger.info({ linkId: p.linkId, attempt: job.retryCount + 1 }, 'token revoked at ORCID');
  },
});

export const revocationSweepJob = declareJob({
  name: 'revocation-sweep',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 60, backoff: false },
  policy: 'singleton',
  schedule: { cron: '*/10 * * * *', payload: () => ({}) },
  async handle(c) {
    const n = await sweepRevocations(c.repos.links, c.queues.revocations);
    if (n) c.logger.info({ pending: n }, 're-enqueued pending revocations');
  },
});

export function revocationQueue(queue: Queue): RevocationQueue {
  return {
    async enqueueRevocation(tenantId, linkId) {
      await queue.enqueue(revokeTokenJob, { tenantId, linkId }, { singletonKey: linkId });
    },
  };
}

export async function sweepRevocations(
  links: OrcidLinkRepository,
  revocations: RevocationQueue,
): Promise<number> {
  const pending = await links.pendingRevocations(1000);
  for (const p of pending) await revocations.enqueueRevocation(p.tenant_id, p.id);
  return pending.length;
}
