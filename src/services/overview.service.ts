// The console's overview: each chart as labels and series of numbers, which the page draws
// (chart.js), shows as a table beside it, and offers as CSV. Series and labels are text keys the
// page translates; the numbers come from OverviewRepository.
import type { OverviewRepository } from '../db/overview.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import { ITEM_STATUSES } from '../domain/item.js';

export const CHART_IDS = [
  'connections',
  'links',
  'token-health',
  'items',
  'calls',
  'rate-limit',
  'freshness',
] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface Chart {
  id: ChartId;
  kind: 'line' | 'bar' | 'doughnut';
  /** Whether the bars of a series stack. */
  stacked?: boolean;
  /** What the labels are (a text key), and the labels: as is, or text keys when `labelKeys`. */
  axis: string;
  labels: string[];
  labelKeys?: boolean;
  series: Array<{ name: string; values: number[] }>;
}

const WEEKS = 26;
const DAYS = 30;

export class OverviewService {
  constructor(private readonly figures: OverviewRepository) {}

  async chart(tenant: Tenant, id: ChartId): Promise<Chart> {
    const t = tenant.id;
    switch (id) {
      case 'connections': {
        const rows = await this.figures.connectionsPerWeek(t, WEEKS);
        return {
          id,
          kind: 'line',
          axis: 'console.overview.week',
          labels: rows.map((r) => r.week),
          series: [{ name: 'console.overview.connected', values: rows.map((r) => r.connected) }],
        };
      }
      case 'links': {
        const by = await this.figures.linksByStatus(t);
        const statuses = ['active', 'revoked', 'expired', 'deprecated'];
        return {
          id,
          kind: 'doughnut',
          axis: 'console.people.link',
          labels: statuses.map((s) => `console.link.${s}`),
          labelKeys: true,
          series: [{ name: 'console.overview.links', values: statuses.map((s) => by[s] ?? 0) }],
        };
      }
      case 'token-health': {
        const h = await this.figures.tokenHealth(t);
        return {
          id,
          kind: 'bar',
          axis: 'console.overview.grants',
          labels: [
            'console.overview.active',
            'console.overview.within90',
            'console.overview.within30',
            'console.overview.short',
          ],
          labelKeys: true,
          series: [{ name: 'console.overview.links', values: [h.active, h.within90, h.within30, h.short] }],
        };
      }
      case 'items': {
        const rows = await this.figures.itemsBySectionAndStatus(t);
        const sections = [...new Set(rows.map((r) => r.section))];
        const statuses = ITEM_STATUSES.filter((s) => rows.some((r) => r.status === s));
        return {
          id,
          kind: 'bar',
          stacked: true,
          axis: 'console.person.section',
          labels: sections,
          series: statuses.map((s) => ({
            name: `console.status.${s}`,
            values: sections.map((sec) => rows.find((r) => r.section === sec && r.status === s)?.n ?? 0),
          })),
        };
      }
      case 'calls': {
        const rows = await this.figures.callsPerDay(t, DAYS);
        return {
          id,
          kind: 'bar',
          stacked: true,
          axis: 'console.overview.day',
          labels: rows.map((r) => r.day),
          series: [
            { name: 'console.overview.ok', values: rows.map((r) => r.ok) },
            { name: 'console.overview.clientErrors', values: rows.map((r) => r.client) },
            { name: 'console.overview.serverErrors', values: rows.map((r) => r.server) },
            { name: 'console.calls.noAnswer', values: rows.map((r) => r.none) },
          ],
        };
      }
      case 'rate-limit': {
        const rows = await this.figures.callsPerHour(t);
        const capacity = tenant.rate_limit_per_s * 3600;
        return {
          id,
          kind: 'line',
          axis: 'console.overview.hour',
          labels: rows.map((r) => r.hour),
          series: [
            { name: 'console.overview.calls', values: rows.map((r) => r.calls) },
            {
              name: 'console.overview.limitUsed',
              values: rows.map((r) => Math.round((r.calls / capacity) * 1000) / 10),
            },
          ],
        };
      }
      case 'freshness': {
        const f = await this.figures.syncFreshness(t);
        const buckets = ['day', 'week', 'month', 'older', 'never'] as const;
        return {
          id,
          kind: 'bar',
          axis: 'console.overview.lastRead',
          labels: buckets.map((b) => `console.overview.read.${b}`),
          labelKeys: true,
          series: [{ name: 'console.overview.links', values: buckets.map((b) => f[b]) }],
        };
      }
    }
  }

  charts(tenant: Tenant): Promise<Chart[]> {
    return Promise.all(CHART_IDS.map((id) => this.chart(tenant, id)));
  }
}
