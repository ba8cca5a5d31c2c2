// Events to the organisation's systems: endpoints per tenant (URL, event types, a signing secret
// sealed), one delivery per event and endpoint, and every attempt of a delivery logged.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table event_endpoints (
      id uuid primary key,
      tenant_id uuid not null references tenants(id) on delete cascade,
      url text not null,
      -- Empty: every event type.
      event_types text[] not null default '{}',
      description text,
      -- The Standard Webhooks secret (whsec_…), sealed with AAD event_endpoints/secret_sealed/{id}.
      secret_sealed text not null,
      enabled boolean not null default true,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index event_endpoints_tenant on event_endpoints (tenant_id)`.execute(db);
  await sql`
    create table event_deliveries (
      id uuid primary key default gen_random_uuid(),
      tenant_id uuid not null references tenants(id) on delete cascade,
      endpoint_id uuid not null references event_endpoints(id) on delete cascade,
      -- The event's id (webhook-id): the same for every endpoint it goes to.
      event_id text not null,
      event_type text not null,
      payload jsonb not null,
      status text not null check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      last_status integer,
      last_error text,
      created_at timestamptz not null default now(),
      delivered_at timestamptz
    )`.execute(db);
  await sql`create index event_deliveries_tenant on event_deliveries (tenant_id, created_at)`.execute(db);
  await sql`
    create table event_attempts (
      id bigserial primary key,
      tenant_id uuid not null references tenants(id) on delete cascade,
      delivery_id uuid not null references event_deliveries(id) on delete cascade,
      at timestamptz not null default now(),
      http_status integer,
      error text,
      duration_ms integer not null
    )`.execute(db);
  await sql`create index event_attempts_delivery on event_attempts (delivery_id)`.execute(db);
}
