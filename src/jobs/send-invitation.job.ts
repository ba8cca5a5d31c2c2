// Mails one invitation to connect (retried with backoff while the SMTP server is unreachable).
import { z } from 'zod';
import type { Queue } from '../queue/queue.js';
import type { InvitationMailQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const sendInvitationJob = declareJob({
  name: 'send-invitation',
  payload: z.object({ tenantId: z.uuid(), invitationId: z.uuid() }),
  retry: { limit: 10, delaySeconds: 30, backoff: true },
  policy: 'short',
  handle: (c, p) => c.invitationMail.send(p.tenantId, p.invitationId),
});

export function invitationMailQueue(queue: Queue): InvitationMailQueue {
  return {
    async enqueueInvitation(tenantId, invitationId) {
      await queue.enqueue(sendInvitationJob, { tenantId, invitationId }, { singletonKey: invitationId });
    },
  };
}
