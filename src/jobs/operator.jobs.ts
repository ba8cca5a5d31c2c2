// The operator's jobs: mailing an administrator's invitation (retried while SMTP is away), and
// deleting an organisation (its tokens revoked at ORCID first; retried while ORCID is away).
import { z } from 'zod';
import type { Queue } from '../queue/queue.js';
import type { AdminInvitationMailQueue, OrganisationDeletionQueue } from '../services/ports.js';
import { declareJob } from './job.js';

export const sendAdminInvitationJob = declareJob({
  name: 'send-admin-invitation',
  payload: z.object({ invitationId: z.uuid() }),
  retry: { limit: 10, delaySeconds: 30, backoff: true },
  policy: 'short',
  handle: (c, p) => c.operator.adminInvitations.send(p.invitationId),
});

export const deleteOrganisationJob = declareJob({
  name: 'delete-organisation',
  payload: z.object({ tenantId: z.uuid(), actor: z.string() }),
  retry: { limit: 20, delaySeconds: 60, backoff: true },
  policy: 'short',
  handle: (c, p) => c.operator.organisations.runDeletion(p.tenantId, p.actor),
});

export function adminInvitationMailQueue(queue: Queue): AdminInvitationMailQueue {
  return {
    async enqueueAdminInvitation(invitationId) {
      await queue.enqueue(sendAdminInvitationJob, { invitationId }, { singletonKey: invitationId });
    },
  };
}

export function organisationDeletionQueue(queue: Queue): OrganisationDeletionQueue {
  return {
    async enqueueDeletion(tenantId, actor) {
      await queue.enqueue(deleteOrganisationJob, { tenantId, actor }, { singletonKey: tenantId });
    },
  };
}
