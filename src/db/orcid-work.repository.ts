// Where ORCID work is ready, across every tenant: the scheduler's first look in each round, before
// it takes tokens from a tenant's bucket and claims that tenant's work (ItemRepository.claimReady,
// OrcidLinkRepository.claimSyncs). The one query of the write path that names no tenant, as it
// must find them. A loose index scan over each claim index (items_ready, orcid_links_sync_wanted)
// costs one index probe per tenant with work, however long a tenant's backlog.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export class OrcidWorkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Tenants with a write or a re-read that may be taken now. */
  async readyTenants(): Promise<string[]> {
    const { rows } = await sql<{ t: string }>`
      with recursive wi as (
        (select tenant_id as t from items where status in ('queued', 'retrying') order by tenant_id limit 1)
        union all
        select (select tenant_id from items where status in ('queued', 'retrying') and tenant_id > wi.t
                order by tenant_id limit 1)
        from wi where wi.t is not null
      ), wl as (
        (select tenant_id as t from orcid_links where sync_due_at is not null order by tenant_id limit 1)
        union all
        select (select tenant_id from orcid_links where sync_due_at is not null and tenant_id > wl.t
                order by tenant_id limit 1)
        from wl where wl.t is not null
      )
      select x.t from (select t from wi union select t from wl) x
      where x.t is not null
      -- A suspended organisation's work waits until the operator resumes it.
      and not exists (select 1 from tenants s where s.id = x.t and s.suspended_at is not null)
      and (
        -- Correlated probes (LIMIT 1), which the planner cannot turn into a scan of every backlog.
        (select true from items i
          where i.tenant_id = x.t and i.status in ('queued', 'retrying') and i.ready_at <= now()
          order by i.ready_at limit 1)
        or (select true from orcid_links l where l.tenant_id = x.t and l.sync_due_at <= now()
          order by l.sync_due_at limit 1))`.execute(this.db);
    return rows.map((r) => r.t);
  }

  /** Work waiting per tenant (ready now or later), for metrics and the scheduler's report. */
  async backlog(): Promise<
    Array<{ tenant_id: string; kind: 'write' | 'sync'; waiting: number; oldest_s: number }>
  > {
    const { rows } = await sql<{
      tenant_id: string;
      kind: 'write' | 'sync';
      waiting: string;
      oldest_s: string;
    }>`
      select tenant_id, 'write' as kind, count(*) as waiting,
        coalesce(extract(epoch from now() - min(updated_at)), 0) as oldest_s
      from items where status in ('queued', 'retrying') group by tenant_id
      union all
      select tenant_id, 'sync', count(*), coalesce(extract(epoch from now() - min(least(sync_due_at, now()))), 0)
      from orcid_links where sync_due_at is not null group by tenant_id`.execute(this.db);
    return rows.map((r) => ({ ...r, waiting: Number(r.waiting), oldest_s: Number(r.oldest_s) }));
  }
}
