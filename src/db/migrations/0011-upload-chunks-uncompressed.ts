// An uploaded file's pieces live only until its job has read them once. PostgreSQL compressed
// each megabyte as it was stored (and decompressed it to read it): for a 34 MB CSV that was about
// half the time the upload took to be received. They are stored as they are.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table upload_file_chunks alter column bytes set storage external`.execute(db);
}
