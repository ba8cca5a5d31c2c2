// The figures of the console's overview, per organisation: connections over time, links by
// status, token health, items by status and section, ORCID calls per day by outcome, rate-limit
// use per hour, and how fresh the collected records are. Each answers rows of plain numbers,
// ready for a chart and its table. Every query is scoped by tenant.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export class OverviewRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** People who connected, per week (the last `weeks`, oldest first; weeks without any are 0). */
  async connectionsPerWeek(
    tenantId: string,
    weeks: number,
  ): Promise<Array<{ week: string; connected: number }>> {
    const { rows } = await sql<{ week: string; connected: number }>`
      select to_char(w, 'YYYY-MM-DD') as week,
        (select count(*) from orcid_links l where l.tenant_id = ${tenantId}
          and l.granted_at >= w and l.granted_at < w + interval '1 week')::int as connected
      from generate_series(date_trunc('week', now()) - make_interval(weeks => ${weeks - 1}), date_trunc('week', now()),
        interval '1 week') w
      order by w`.execute(this.db);
    return rows;
  }

  async linksByStatus(tenantId: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('orcid_links')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('tenant_id', '=', tenantId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Active links whose grant ends within 30 and 90 days, and those granted for less than a year. */
  async tokenHealth(
    tenantId: string,
  ): Promise<{ within30: number; within90: number; short: number; active: number }> {
    const { rows } = await sql<{ within30: number; within90: number; short: number; active: number }>`
      select count(*) filter (where expires_at < now() + interval '30 days')::int as within30,
        count(*) filter (where expires_at < now() + interval '90 days')::int as within90,
        count(*) filter (where expires_at - granted_at < interval '365 days')::int as short,
        count(*)::int as active
      from orcid_links where tenant_id = ${tenantId} and status = 'active'`.execute(this.db);
    return rows[0]!;
  }

  async itemsBySectionAndStatus(
    tenantId: string,
  ): Promise<Array<{ section: string; status: string; n: number }>> {
    const { rows } = await sql<{ section: string; status: string; n: number }>`
      select section, status, count(*)::int as n from items where tenant_id = ${tenantId}
      group by section, status order by section, status`.execute(this.db);
    return rows;
  }

  /** ORCID calls per day of the last `days` (UTC), by outcome. */
  async callsPerDay(
    tenantId: string,
    days: number,
  ): Promise<Array<{ day: string; ok: number; client: number; server: number; none: number }>> {
    const { rows } = await sql<{ day: string; ok: number; client: number; server: number; none: number }>`
      with c as (
        select date_trunc('day', created_at at time zone 'UTC') as d, status from orcid_calls
        where tenant_id = ${tenantId} and created_at >= (date_trunc('day', now() at time zone 'UTC') - make_interval(days => ${days - 1})) at time zone 'UTC'
      )
      select to_char(g, 'YYYY-MM-DD') as day,
        count(c.d) filter (where c.status < 400)::int as ok,
        count(c.d) filter (where c.status >= 400 and c.status < 500)::int as client,
        count(c.d) filter (where c.status >= 500)::int as server,
        count(c.d) filter (where c.status is null)::int as none
      from generate_series(date_trunc('day', now() at time zone 'UTC') - make_interval(days => ${days - 1}),
        date_trunc('day', now() at time zone 'UTC'), interval '1 day') g
      left join c on c.d = g
      group by g order by g`.execute(this.db);
    return rows;
  }

  /** ORCID calls per hour of the last 24 hours (UTC), oldest first. */
  async callsPerHour(tenantId: string): Promise<Array<{ hour: string; calls: number }>> {
    const { rows } = await sql<{ hour: string; calls: number }>`
      with c as (
        select date_trunc('hour', created_at at time zone 'UTC') as h from orcid_calls
        where tenant_id = ${tenantId} and created_at >= now() - interval '24 hours'
      )
      select to_char(g, 'YYYY-MM-DD"T"HH24":00Z"') as hour, count(c.h)::int as calls
      from generate_series(date_trunc('hour', now() at time zone 'UTC') - interval '23 hours',
        date_trunc('hour', now() at time zone 'UTC'), interval '1 hour') g
      left join c on c.h = g
      group by g order by g`.execute(this.db);
    return rows;
  }

  /** Active links by how long ago their record was last read in full. */
  async syncFreshness(
    tenantId: string,
  ): Promise<Record<'day' | 'week' | 'month' | 'older' | 'never', number>> {
    const { rows } = await sql<Record<'day' | 'week' | 'month' | 'older' | 'never', number>>`
      select count(*) filter (where synced_at >= now() - interval '1 day')::int as day,
        count(*) filter (where synced_at < now() - interval '1 day' and synced_at >= now() - interval '7 days')::int as week,
        count(*) filter (where synced_at < now() - interval '7 days' and synced_at >= now() - interval '30 days')::int as month,
        count(*) filter (where synced_at < now() - interval '30 days')::int as older,
        count(*) filter (where synced_at is null)::int as never
      from orcid_links where tenant_id = ${tenantId} and status = 'active'`.execute(this.db);
    return rows[0]!;
  }
}
