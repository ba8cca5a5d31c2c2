// Permission requests sent to researchers' ORCID inboxes (SPEC 6.10), for people whose iD the
// organisation knows but who hold no valid permission (they revoked it, or it expired). The
// request carries an OAuth state bound to the person and to that iD, not to a browser session:
// the researcher comes back from their ORCID inbox, perhaps days later, perhaps signed in nowhere.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table oauth_states
    add column origin text not null default 'session' check (origin in ('session', 'orcid_inbox')),
    add column expected_orcid text`.execute(db);
  await sql`create table orcid_inbox_requests (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete cascade,
    person_id uuid not null references people (id) on delete cascade,
    orcid text not null,
    put_code bigint,
    actor text not null,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    last_error text
  )`.execute(db);
  await sql`create index orcid_inbox_requests_person on orcid_inbox_requests (tenant_id, person_id, created_at desc)`.execute(
    db,
  );
  await sql`create index orcid_inbox_requests_recent on orcid_inbox_requests (tenant_id, created_at desc)`.execute(
    db,
  );
}
