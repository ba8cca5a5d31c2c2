// Whether the organisation's administrators may export the tokens people granted, in clear (the
// console's data export; `lanyard export-links --with-tokens`). Allowed unless the organisation
// turns it off. And what the export reads with: links in id order, CSV cells escaped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column token_export boolean not null default true`.execute(db);
  // The export reads an organisation's links in id order, a batch at a time.
  await sql`create index orcid_links_tenant_id on orcid_links (tenant_id, id)`.execute(db);
  // A CSV cell of the export, as PostgreSQL writes it (csvCell in links-export.repository.ts is
  // the same rule): quoted when it holds a comma, quote or line break, and a value a spreadsheet
  // would run as a formula is written with a leading apostrophe (as the upload export does).
  await sql`
    create function lanyard_csv_cell(v text) returns text language sql immutable parallel safe
    return case
      when v is null then ''
      when left(v, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '"''' || replace(v, '"', '""') || '"'
      when strpos(v, ',') > 0 or strpos(v, '"') > 0 or strpos(v, chr(10)) > 0 or strpos(v, chr(13)) > 0
        then '"' || replace(v, '"', '""') || '"'
      else v end
  `.execute(db);
}
