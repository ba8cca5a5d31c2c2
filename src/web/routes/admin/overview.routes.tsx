// The console's overview (/o/{tenant}/admin/overview): the organisation's figures as charts with
// their numbers in tables, each chart's CSV, and the two scripts that draw them (chart.js from
// the installed package, never a CDN, and the island that reads the tables).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { csvCell } from '../../../domain/csv-cell.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import { CHART_IDS, type ChartId, type OverviewService } from '../../../services/overview.service.js';
import { webErrors } from '../../errors.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { chartLabels, OverviewPage } from '../../views/admin-overview.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';
import { CONSOLE_CHARTS_JS } from './console-charts.js.js';

export interface OverviewRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  overview: OverviewService;
}

// The package exports no path to its browser build: it sits beside its entry point.
const CHART_JS = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
  'utf8',
);

export function overviewRoutes(app: FastifyInstance, d: OverviewRouteDeps): void {
  const adminRoute = requireAdmin(d);
  const script = (body: string) => async (_req: unknown, reply: FastifyReply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body);
  app.get('/assets/chart.umd.js', script(CHART_JS));
  app.get('/assets/console-charts.js', script(CONSOLE_CHARTS_JS));

  app.get(
    '/o/:tenant/admin/overview',
    adminRoute(async (req, reply, tenant) => {
      const charts = await d.overview.charts(tenant);
      return sendPage(
        reply,
        <OverviewPage c={pageContext(req, reply, tenant, d.orcid, true)} charts={charts} />,
      );
    }),
  );

  app.get(
    '/o/:tenant/admin/overview/:chart/csv',
    adminRoute(async (req, reply, tenant) => {
      const id = (req.params as { chart: string }).chart;
      if (!(CHART_IDS as readonly string[]).includes(id)) throw webErrors.notFound();
      const chart = await d.overview.chart(tenant, id as ChartId);
      const { t } = pageContext(req, reply, tenant, d.orcid, true);
      const labels = chartLabels(chart, t);
      const lines = [
        [t(chart.axis), ...chart.series.map((s) => t(s.name))],
        ...labels.map((label, i) => [label, ...chart.series.map((s) => String(s.values[i]))]),
      ];
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${tenant.slug}-${id}.csv"`)
        .send(`${lines.map((l) => l.map(csvCell).join(',')).join('\n')}\n`);
    }),
  );
}
