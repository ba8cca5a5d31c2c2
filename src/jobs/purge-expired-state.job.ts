// Hourly: delete what has expired and can never be used again: web sessions, OAuth linking
// states and unanswered SAML requests.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { OauthStateRepository } from '../db/oauth-state.repository.js';
import { SamlRequestStore } from '../db/saml-request.store.js';
import type { Database } from '../db/schema.js';
import { PgSessionStore } from '../db/session.store.js';
import { defineJob } from '../queue/queue.js';

export const purgeExpiredStateJob = defineJob({
  name: 'purge-expired-state',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 60, backoff: false },
  policy: 'singleton',
});

export async function purgeExpiredState(
  db: Kysely<Database>,
): Promise<{ sessions: number; states: number; samlRequests: number }> {
  return {
    sessions: await PgSessionStore.purgeExpired(db),
    states: await new OauthStateRepository(db).purge(),
    samlRequests: await new SamlRequestStore(db).purge(),
  };
}
