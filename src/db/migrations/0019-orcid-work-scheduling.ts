// Fair scheduling of ORCID work (docs/scaling.md). The items table and the links are the queues
// of writes and re-reads: a worker claims ready work per organisation, after taking tokens from
// that organisation's rate-limit bucket, so no organisation's backlog holds up another's.
// - items.ready_at: when the item may be taken next. Claims take the earliest first; what a person
//   waits for (an administrator's retry) is dated earlier so that it comes first; a claim moves it
//   past the lease (a worker that dies leaves it to be taken again then); a retry after a
//   transient failure moves it past its backoff. items.retries counts those retries.
// - orcid_links.sync_due_at: a re-read is wanted from then on (null: none). A request arriving while
//   one runs sets sync_again, and exactly one more follows. sync_lease_until is the running claim.
// The write sweep's index is replaced by the claim's; lanyard_take_tokens takes whole tokens from a
// bucket without ever going into debt (the claim's half of the limiter).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items
    add column ready_at timestamptz not null default now(),
    add column retries smallint not null default 0`.execute(db);
  await sql`drop index items_unleased_queued`.execute(db);
  await sql`create index items_ready on items (tenant_id, ready_at) where status in ('queued', 'retrying')`.execute(
    db,
  );
  await sql`alter table orcid_links
    add column sync_due_at timestamptz,
    add column sync_reason text,
    add column sync_again boolean not null default false,
    add column sync_lease_until timestamptz,
    add column sync_retries smallint not null default 0`.execute(db);
  await sql`create index orcid_links_sync_wanted on orcid_links (tenant_id, sync_due_at) where sync_due_at is not null`.execute(
    db,
  );
  await sql`
    create function lanyard_take_tokens(p_client text, p_rate float8, p_burst float8, p_max int)
    returns int language plpgsql as $$
    declare
      t float8;
      n int;
    begin
      insert into orcid_rate_limits as b (client_id, tokens, updated_at)
      values (p_client, p_burst, clock_timestamp())
      on conflict (client_id) do update set
        tokens = least(p_burst, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * p_rate),
        updated_at = clock_timestamp()
      returning tokens into t;
      n := least(p_max, greatest(0, floor(t)))::int;
      if n > 0 then
        update orcid_rate_limits set tokens = tokens - n where client_id = p_client;
      end if;
      return n;
    end $$`.execute(db);
}
