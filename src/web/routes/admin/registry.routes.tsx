// The admin area's registry search (/o/{tenant}/admin/registry): records in ORCID's public
// registry that list the organisation, marked when connected here, a page at a time, and all of
// them as CSV (up to ORCID's paging limit).
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { RegistryHit, RegistrySearchService } from '../../../services/registry-search.service.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { RegistryPage, type RegistryRow } from '../../views/admin-organisation.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';

export interface RegistryRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  registry: RegistrySearchService;
}

const PAGE = 50;
/** ORCID pages anonymous and public searches up to 10,000 records; the CSV stops there. */
const CSV_MAX = 10_000;
const CSV_PAGE = 1000;

const nameOf = (r: RegistryHit) =>
  r.creditName ?? ([r.givenNames, r.familyNames].filter(Boolean).join(' ') || '');
const rowOf = (r: RegistryHit): RegistryRow => ({
  orcid: r.orcid,
  name: nameOf(r),
  institutions: r.institutions,
  connectedAs: r.connectedAs,
});

export function registryRoutes(app: FastifyInstance, d: RegistryRouteDeps): void {
  const adminRoute = requireAdmin(d);

  app.get(
    '/o/:tenant/admin/registry',
    adminRoute(async (req, reply, tenant) => {
      const asked = Number((req.query as { start?: unknown }).start ?? 0);
      const start = Number.isInteger(asked) && asked >= 0 && asked < CSV_MAX ? asked : 0;
      const c = pageContext(req, reply, tenant, d.orcid, true);
      try {
        const found = await d.registry.search(tenant, { start, rows: PAGE });
        return sendPage(
          reply,
          <RegistryPage
            c={c}
            query={found.query}
            numFound={found.numFound}
            rows={found.results.map(rowOf)}
            start={start}
            pageSize={PAGE}
            error={null}
          />,
        );
      } catch (e) {
        return sendPage(
          reply,
          <RegistryPage
            c={c}
            query=""
            numFound={0}
            rows={[]}
            start={0}
            pageSize={PAGE}
            error={(e as Error).message}
          />,
          502,
        );
      }
    }),
  );

  app.get(
    '/o/:tenant/admin/registry.csv',
    adminRoute(async (_req, reply, tenant) => {
      const lines: string[][] = [['orcid', 'name', 'institutions', 'connected_as']];
      for (let start = 0; start < CSV_MAX; start += CSV_PAGE) {
        const found = await d.registry.search(tenant, { start, rows: CSV_PAGE });
        for (const r of found.results)
          lines.push([r.orcid, nameOf(r), r.institutions.join('; '), r.connectedAs ?? '']);
        if (start + CSV_PAGE >= found.numFound) break;
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${tenant.slug}-orcid-registry.csv"`)
        .header('cache-control', 'no-store')
        .send(stringify(lines));
    }),
  );
}
