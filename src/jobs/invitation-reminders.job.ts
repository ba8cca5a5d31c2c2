// Reminders of invitations to connect, hourly: each organisation's policy (tenant setting
// invitations: reminders, everyDays; defaults 2 and 14) decides which are due; they go out as
// send-invitation jobs, so SMTP failures are retried as for any invitation.
import { z } from 'zod';
import { sendDueReminders } from '../services/invitation.service.js';
import { declareJob } from './job.js';

export const invitationRemindersJob = declareJob({
  name: 'invitation-reminders',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 300, backoff: false },
  policy: 'singleton',
  schedule: { cron: '23 * * * *', payload: () => ({}) },
  async handle(c) {
    const sent = await sendDueReminders(c.repos.invitations, c.queues.invitationMail);
    if (sent) c.logger.info({ sent }, 'invitation reminders queued');
  },
});
