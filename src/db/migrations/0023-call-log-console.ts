// The console's ORCID call log: filtered pages over millions of calls read only what they show
// (by iD, by answer status, by ORCID error code, by any part of the path, newest first), and
// shared views of chosen calls for ORCID support: a link that opens without an account until it
// expires or is revoked. The link's token is kept only as its hash.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index orcid_calls_orcid`.execute(db);
  await sql`create index orcid_calls_tenant_orcid on orcid_calls (tenant_id, orcid, created_at)`.execute(db);
  await sql`create index orcid_calls_tenant_status on orcid_calls (tenant_id, status, created_at)`.execute(
    db,
  );
  await sql`create index orcid_calls_tenant_error_code on orcid_calls (tenant_id, error_code, created_at)
    where error_code is not null`.execute(db);
  await sql`create index orcid_calls_url on orcid_calls using gin (url gin_trgm_ops)`.execute(db);
  await sql`
    create table call_log_shares (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      token_hash text not null unique,
      call_ids bigint[] not null,
      note text,
      created_by text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index call_log_shares_tenant on call_log_shares (tenant_id, created_at)`.execute(db);
}
