// Revokes at ORCID the token of a link that was ended while ORCID could not be reached. Retried
// with backoff (about a day in all); a sweep every ten minutes re-enqueues whatever is still
// pending, so a lost job cannot leave a token alive.
import { z } from 'zod';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import { defineJob, type Queue } from '../queue/queue.js';
import type { RevocationQueue } from '../services/ports.js';

export const revokeTokenJob = defineJob({
  name: 'revoke-token',
  payload: z.object({ tenantId: z.uuid(), linkId: z.uuid() }),
  retry: { limit: 12, delaySeconds: 30, backoff: true },
  policy: 'stately',
});

export const revocationSweepJob = defineJob({
  name: 'revocation-sweep',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 60, backoff: false },
  policy: 'singleton',
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
