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
}
