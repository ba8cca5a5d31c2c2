// The console's people list: found by any part of a name, local id or email (trigram index, so a
// search of 100,000 people reads only the matches), sorted by name or by when they were added
// and paged by key (a page reads its rows and no more, however deep). Items that need an
// administrator (failed, refused, unavailable, withdrawn) are found by status without reading a
// person's other items; the statuses uploads state in bulk (pending, queued) stay out of that
// index, so it costs an upload nothing.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Trusted since PostgreSQL 13: the database's owner may create it.
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`
    create function lanyard_person_search_text(given_names text, family_name text, local_id text, email text)
      returns text language sql immutable parallel safe
      return lower(coalesce(given_names, '') || ' ' || coalesce(family_name, '') || ' ' || local_id || ' ' || coalesce(email, ''))
  `.execute(db);
  await sql`
    create function lanyard_person_sort_name(given_names text, family_name text)
      returns text language sql immutable parallel safe
      return lower(coalesce(family_name, '') || ' ' || coalesce(given_names, ''))
  `.execute(db);
  await sql`create index people_search on people using gin
    (lanyard_person_search_text(given_names, family_name, local_id, email) gin_trgm_ops)`.execute(db);
  await sql`create index people_by_name on people (tenant_id, lanyard_person_sort_name(given_names, family_name), id)`.execute(
    db,
  );
  await sql`create index people_by_added on people (tenant_id, created_at, id)`.execute(db);
  await sql`create index items_attention on items (tenant_id, status, person_id)
    where status in ('failed', 'invalid', 'record_unavailable', 'deleted_by_researcher', 'revoked', 'retrying')`.execute(
    db,
  );
  await sql`create index orcid_links_person on orcid_links (tenant_id, person_id, granted_at)`.execute(db);
  await sql`create index invitations_person on invitations (tenant_id, person_id)`.execute(db);
}
