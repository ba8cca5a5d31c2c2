// The operator of a multi-organisation installation: operators (granted by `lanyard operator
// grant`, beside those LANYARD_OPERATORS names), each organisation's first administrator invited
// by mail (a single-use, expiring link: only its hash is looked up, the link itself is sealed
// until the mail is sent), organisations suspended by the operator, the outcome of the last
// "Test connection", the worker processes seen, and organisations created before their ORCID
// credentials are entered.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table operators (
    email text primary key check (email = lower(email)),
    granted_by text not null,
    granted_at timestamptz not null default now(),
    password_hash text
  )`.execute(db);
  await sql`create table admin_invitations (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete cascade,
    email text not null,
    token_hash bytea not null unique,
    token_sealed text not null,
    invited_by text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    sent_at timestamptz,
    last_error text,
    accepted_at timestamptz
  )`.execute(db);
  await sql`create index admin_invitations_tenant on admin_invitations (tenant_id, created_at desc)`.execute(
    db,
  );
  // Each worker process says it is alive every half minute (the operator's installation health).
  await sql`create table worker_processes (
    id text primary key,
    host text not null,
    pid integer not null,
    started_at timestamptz not null,
    seen_at timestamptz not null
  )`.execute(db);
  await sql`alter table tenants
    add column suspended_at timestamptz,
    add column deletion_requested_at timestamptz,
    add column connection_check jsonb`.execute(db);
}
