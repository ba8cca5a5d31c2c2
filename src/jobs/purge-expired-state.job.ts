// Hourly: delete what has expired and can never be used again: web sessions, OAuth linking
// states and unanswered SAML requests.
import { z } from 'zod';
import type { Container } from '../app/container.js';
import { declareJob } from './job.js';

export const purgeExpiredStateJob = declareJob({
  name: 'purge-expired-state',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 60, backoff: false },
  policy: 'singleton',
  schedule: { cron: '7 * * * *', payload: () => ({}) },
  async handle(c) {
    c.logger.info(await purgeExpiredState(c), 'purged expired sessions, OAuth states and SAML requests');
  },
});

export async function purgeExpiredState(
  c: Container,
): Promise<{ sessions: number; states: number; samlRequests: number }> {
  return {
    sessions: await c.sessions.purgeExpired(),
    states: await c.repos.oauthStates.purge(),
    samlRequests: await c.repos.samlRequests.purge(),
  };
}
