// items_status (tenant_id, status) served no query: every status filter also names the person, or
// is the write sweep's, which names no organisation; every item stated paid for its upkeep all the
// same. The sweep's other half, queued items no worker has leased, gets a partial index of its own
// in the order it reads them; items waiting for their person to connect (an upload's bulk) are in
// neither.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index items_status`.execute(db);
  await sql`create index items_unleased_queued on items (updated_at)
    where status = 'queued' and lease_until is null`.execute(db);
}
