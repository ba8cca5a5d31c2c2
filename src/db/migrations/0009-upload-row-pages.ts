// An upload's rows are written and read as a whole (stated by the upload job, read back by its
// export and its progress), so they are kept in pages of up to 1,000 rows: a page holds the rows'
// numbers and item ids (arrays) and the rows as uploaded (a jsonb array), in the same order. One page insert instead
// of a thousand row inserts, each with two foreign-key checks, made stating a large file about a
// third cheaper. Rows whose item was deleted (with its person or organisation) are skipped when
// read, as the cascade used to remove them.
// The staging table goes: the job now states each range of rows as it is checked, inside the one
// transaction that commits only if the whole file is clean.
// Items' two foreign keys (tenant, person) become one on (tenant_id, person_id): one check per row
// instead of two, and an item can no longer name a person of another organisation.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table upload_row_pages (
      upload_id uuid not null references uploads(id) on delete cascade,
      tenant_id uuid not null,
      first_row integer not null,
      row_numbers integer[] not null,
      item_ids uuid[] not null,
      rows jsonb not null,
      primary key (upload_id, first_row)
    )`.execute(db);
  await sql`
    insert into upload_row_pages (upload_id, tenant_id, first_row, row_numbers, item_ids, rows)
    select r.upload_id, u.tenant_id, min(r.row_number), array_agg(r.row_number order by r.row_number),
      array_agg(r.item_id order by r.row_number), jsonb_agg(r.row order by r.row_number)
    from upload_rows r join uploads u on u.id = r.upload_id
    group by r.upload_id, u.tenant_id, r.row_number / 1000
  `.execute(db);
  await sql`drop table upload_rows`.execute(db);
  await sql`drop table upload_staging`.execute(db);

  await sql`alter table people add constraint people_tenant_id_id unique (tenant_id, id)`.execute(db);
  await sql`
    alter table items drop constraint items_tenant_id_fkey, drop constraint items_person_id_fkey,
      add constraint items_tenant_person_fkey foreign key (tenant_id, person_id)
        references people (tenant_id, id) on delete cascade
  `.execute(db);
}
