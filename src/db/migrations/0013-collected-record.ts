// The collected record (Collect): for every link, a normalised copy of what its token reads of
// the ORCID record, one row per item (activities and person data), joined to the organisation's
// own items; when the link was last synchronised and ORCID's last-modified dates seen then; and
// the change feed, in order, that the organisation's systems poll (GET /api/v1/changes).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table orcid_links
      add column synced_at timestamptz,
      -- ORCID's last-modified date of the whole record, and of each section, as last read.
      add column record_modified bigint,
      add column section_modified jsonb not null default '{}'::jsonb,
      -- Why the last synchronisation did not complete (redacted ORCID text), null when it did.
      add column sync_error text`.execute(db);
  // Reconciliation reads the stalest active links first.
  await sql`create index orcid_links_sync_due on orcid_links (tenant_id, synced_at nulls first)
    where status = 'active'`.execute(db);

  await sql`
    create table record_items (
      tenant_id uuid not null references tenants(id) on delete cascade,
      link_id uuid not null references orcid_links(id) on delete cascade,
      section text not null,
      -- The put code, or a fixed key for what has none (name, biography, an email address).
      key text not null,
      put_code bigint,
      source_client_id text,
      source_orcid text,
      source_name text,
      -- Written by this organisation's ORCID client.
      own boolean not null,
      item_id uuid references items(id) on delete set null,
      visibility text,
      title text,
      organisation text,
      role text,
      department text,
      start_date text,
      end_date text,
      type text,
      value text,
      external_ids jsonb not null default '[]'::jsonb,
      document jsonb not null,
      content_hash text not null,
      last_modified timestamptz,
      collected_at timestamptz not null default now(),
      primary key (link_id, section, key)
    )`.execute(db);
  await sql`create index record_items_tenant_link on record_items (tenant_id, link_id)`.execute(db);
  await sql`create index record_items_item on record_items (item_id) where item_id is not null`.execute(db);

  await sql`
    create table record_changes (
      id bigserial primary key,
      tenant_id uuid not null references tenants(id) on delete cascade,
      person_id uuid not null,
      link_id uuid references orcid_links(id) on delete set null,
      orcid text not null,
      kind text not null,
      section text,
      put_code bigint,
      own boolean not null default false,
      item_id uuid,
      detail jsonb,
      at timestamptz not null default now(),
      foreign key (tenant_id, person_id) references people (tenant_id, id) on delete cascade
    )`.execute(db);
  await sql`create index record_changes_feed on record_changes (tenant_id, id)`.execute(db);
}
