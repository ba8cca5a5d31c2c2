// The installation's figures for monitoring (src/metrics): items and links by status per tenant,
// and how stale each tenant's collected records are. Read across every tenant, as reports are; the
// scheduler's backlog is OrcidWorkRepository.backlog.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export class InstallationFiguresRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async items(): Promise<Array<{ tenant: string; status: string; count: number }>> {
    const { rows } = await sql<{ tenant: string; status: string; n: string }>`
      select tenant_id as tenant, status, count(*) as n from items group by 1, 2`.execute(this.db);
    return rows.map((r) => ({ tenant: r.tenant, status: r.status, count: Number(r.n) }));
  }

  async links(): Promise<Array<{ tenant: string; status: string; count: number }>> {
    const { rows } = await sql<{ tenant: string; status: string; n: string }>`
      select tenant_id as tenant, status, count(*) as n from orcid_links group by 1, 2`.execute(this.db);
    return rows.map((r) => ({ tenant: r.tenant, status: r.status, count: Number(r.n) }));
  }

  async syncLag(): Promise<Array<{ tenant: string; seconds: number }>> {
    const { rows } = await sql<{ tenant: string; s: string }>`
      select tenant_id as tenant, extract(epoch from now() - min(coalesce(synced_at, granted_at))) as s
      from orcid_links where status = 'active' group by 1`.execute(this.db);
    return rows.map((r) => ({ tenant: r.tenant, seconds: Math.max(0, Number(r.s)) }));
  }

  /** ORCID calls of each tenant in the last minute (its share of its rate limit). */
  async callsLastMinute(): Promise<Array<{ tenant: string; count: number }>> {
    const { rows } = await sql<{ tenant: string; n: string }>`
      select tenant_id as tenant, count(*) as n from orcid_calls
      where created_at > now() - interval '1 minute' and tenant_id is not null group by 1`.execute(this.db);
    return rows.map((r) => ({ tenant: r.tenant, count: Number(r.n) }));
  }

  /** Each tenant's last failed ORCID call of the last 7 days (an error status, or no answer). */
  async lastErrors(): Promise<
    Array<{ tenant: string; at: Date; status: number | null; error: string | null; url: string }>
  > {
    const { rows } = await sql<{
      tenant: string;
      at: Date;
      status: number | null;
      error: string | null;
      url: string;
    }>`
      select t.id as tenant, e.created_at as at, e.status, e.error, e.url
      from tenants t cross join lateral (
        -- Two probes of orcid_calls_tenant_status, each reading only failed calls (never the
        -- tenant's successful ones, however many).
        select * from (
          (select c.created_at, c.status, c.error, c.url from orcid_calls c
            where c.tenant_id = t.id and c.status >= 400 and c.created_at > now() - interval '7 days'
            order by c.created_at desc limit 1)
          union all
          (select c.created_at, c.status, c.error, c.url from orcid_calls c
            where c.tenant_id = t.id and c.status is null and c.created_at > now() - interval '7 days'
            order by c.created_at desc limit 1)
        ) f order by f.created_at desc limit 1) e`.execute(this.db);
    return rows;
  }
}
