// The call log's retention deletes old calls in batches, oldest first, each batch found through
// this index (a range at the log's old end), so that no statement runs long or holds many locks.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index orcid_calls_created on orcid_calls (created_at)`.execute(db);
}
