// Synchronize: each tenant's sync settings (webhooks, reconciliation), and one ORCID webhook
// subscription per link of a tenant with webhooks. The callback URL carries a 256-bit token that
// is stored only hashed; a subscription is registered at ORCID, and unregistered when its link
// ends.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column sync_settings jsonb not null default '{}'::jsonb`.execute(db);
  await sql`
    create table webhook_subscriptions (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      link_id uuid not null references orcid_links(id) on delete cascade,
      orcid text not null,
      -- sha256 of the callback's token (base64url); the token itself is never stored.
      token_hash text not null unique,
      -- The callback as registered at ORCID (it holds the token): sealed, as a secret.
      callback_sealed text not null,
      status text not null check (status in ('pending', 'registered', 'ending', 'ended')),
      registered_at timestamptz,
      ended_at timestamptz,
      -- Why ORCID refused the last registration or unregistration (redacted), null when it did not.
      error text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index webhook_subscriptions_one_per_link on webhook_subscriptions (link_id)
    where status in ('pending', 'registered')`.execute(db);
  await sql`create index webhook_subscriptions_tenant on webhook_subscriptions (tenant_id, status)`.execute(
    db,
  );
}
