// Daily: delete ORCID calls older than the retention period (the call log is kept by policy).
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import { defineJob } from '../queue/queue.js';

export const purgeCallLogJob = defineJob({
  name: 'purge-call-log',
  payload: z.object({ olderThanDays: z.number().int().min(1) }),
  retry: { limit: 3, delaySeconds: 60, backoff: true },
  policy: 'singleton',
});

export async function purgeCallLog(db: Kysely<Database>, olderThanDays: number): Promise<number> {
  const r = await db
    .deleteFrom('orcid_calls')
    .where('created_at', '<', sql<Date>`now() - make_interval(days => ${olderThanDays})`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
