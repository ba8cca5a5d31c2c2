// Whether the organisation's administrators may export the tokens people granted, in clear (the
// console's data export; `lanyard export-links --with-tokens`). Allowed unless the organisation
// turns it off.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column token_export boolean not null default true`.execute(db);
  // The export reads an organisation's links in id order, a batch at a time.
  await sql`create index orcid_links_tenant_id on orcid_links (tenant_id, id)`.execute(db);
}
