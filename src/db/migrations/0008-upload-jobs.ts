// Uploads are checked and stated by a job on a worker, not in the web request: the web streams the
// file into `upload_file_chunks` and answers at once; the job parses it as a stream into
// `upload_staging` (rows checked, problems so far), then states every staged row in one
// transaction with set-based statements (rows stated), so a refused file still changes nothing.
// `uploads.state` and its counters are the progress the page and `lanyard import` show.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('uploads')
    // Uploads before this migration were stated in the request: accepted.
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('accepted')
        .check(sql`state in ('received', 'checking', 'stating', 'accepted', 'refused', 'failed')`),
    )
    .addColumn('file_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_checked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_stated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('problem_count', 'integer', (c) => c.notNull().defaultTo(0))
    // The first problems found (the page and the CLI show them; problem_count has them all).
    .addColumn('problems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await sql`alter table uploads alter column state set default 'received'`.execute(db);
  await sql`alter table uploads alter column row_count set default 0`.execute(db);

  // The file as received, in pieces of about a megabyte; deleted once the upload is stated or refused.
  await db.schema
    .createTable('upload_file_chunks')
    .addColumn('upload_id', 'uuid', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_file_chunks_pk', ['upload_id', 'seq'])
    .execute();

  // Checked rows waiting to be stated. Unlogged: scratch that a restarted job rebuilds from the file.
  await sql`
    create unlogged table upload_staging (
      upload_id uuid not null references uploads(id) on delete cascade,
      tenant_id uuid not null,
      row_number integer not null,
      local_id text not null,
      email text,
      given_names text,
      family_name text,
      left_on text,
      section text not null,
      source_key text not null,
      payload jsonb not null,
      content_hash text not null,
      group_id text,
      desired text not null,
      stored jsonb not null,
      key_column text not null,
      primary key (upload_id, row_number)
    )`.execute(db);

  // domain/item.ts statusAfterUpsert, for set-based statements (upload stating); a test holds the
  // two to the same answers. `existing_status` is null for a new item.
  await sql`
    create function lanyard_status_after_upsert(
      existing_status text, existing_hash text, existing_desired text, existing_put_code bigint,
      existing_written_hash text, next_hash text, next_desired text, connected boolean
    ) returns text language sql immutable as $$
      select case
        when existing_status is not null and existing_hash = next_hash and existing_desired = next_desired
          and existing_status not in ('failed', 'retrying') then existing_status
        when not connected then 'pending'
        when existing_status is null then 'queued'
        when existing_status = 'deleted_by_researcher'
          or (next_desired = 'absent' and existing_put_code is null)
          or (next_desired = 'present' and existing_put_code is not null and existing_written_hash = next_hash)
          then existing_status
        else 'queued'
      end
    $$`.execute(db);
}
