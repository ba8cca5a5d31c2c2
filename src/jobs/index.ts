// Every job of the platform. The worker registers, works and schedules each one of this list;
// every role that sends jobs creates their queues from it. Adding a job: its file, and a line here.
import type { Queue } from '../queue/queue.js';
import type { JobQueuePorts } from '../services/ports.js';
import { deliverEventJob, eventDeliveryQueue } from './deliver-event.job.js';
import { invitationRemindersJob } from './invitation-reminders.job.js';
import type { Job } from './job.js';
import {
  adminInvitationMailQueue,
  deleteOrganisationJob,
  organisationDeletionQueue,
  sendAdminInvitationJob,
} from './operator.jobs.js';
import { purgeCallLogJob } from './purge-call-log.job.js';
import { purgeExpiredStateJob } from './purge-expired-state.job.js';
import { reconcileJob } from './reconcile.job.js';
import { revocationQueue, revocationSweepJob, revokeTokenJob } from './revoke-token.job.js';
import { invitationMailQueue, sendInvitationJob } from './send-invitation.job.js';
import { stateUploadJob, uploadStatingQueue } from './state-upload.job.js';
import { tokenHealthJob } from './token-health.job.js';
import { webhookJob, webhookQueue, webhookRepairJob } from './webhook.job.js';

export const JOBS: ReadonlyArray<Job<never>> = [
  stateUploadJob,
  sendInvitationJob,
  invitationRemindersJob,
  revokeTokenJob,
  reconcileJob,
  tokenHealthJob,
  webhookJob,
  deliverEventJob,
  webhookRepairJob,
  revocationSweepJob,
  purgeCallLogJob,
  purgeExpiredStateJob,
  sendAdminInvitationJob,
  deleteOrganisationJob,
] as unknown as ReadonlyArray<Job<never>>;

/** Creates every job's queue (idempotent): a role may send any job once this is done. */
export async function registerJobs(queue: Queue): Promise<void> {
  for (const job of JOBS) await queue.register(job);
}

/** The services' queue ports that send the jobs above (the ORCID work ports are the container's). */
export function queuePorts(queue: Queue): JobQueuePorts {
  return {
    uploadStating: uploadStatingQueue(queue),
    revocations: revocationQueue(queue),
    invitationMail: invitationMailQueue(queue),
    webhooks: webhookQueue(queue),
    events: eventDeliveryQueue(queue),
    adminInvitationMail: adminInvitationMailQueue(queue),
    organisationDeletions: organisationDeletionQueue(queue),
  };
}
