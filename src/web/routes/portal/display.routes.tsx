// Display: the organisation's public list of authenticated iDs, and the same for its own web
// pages as JSON (CORS open). Only iDs people connected through ORCID's OAuth are shown.
import type { FastifyInstance } from 'fastify';
import { webErrors } from '../../errors.js';
import { tenantRoute } from '../../plugins/tenant-scope.js';
import { PublicListPage } from '../../views/portal.js';
import { type PortalDeps, pageContext, sendPage, signedInPerson } from './portal-context.js';

export function displayRoutes(app: FastifyInstance, d: PortalDeps): void {
  app.get(
    '/o/:tenant/people',
    tenantRoute(async (req, reply, tenant) => {
      const person = await signedInPerson(req, tenant, d.portal);
      const c = pageContext(req, reply, tenant, d.orcid, person !== null);
      const people = await d.portal.displayedIds(tenant.id);
      return sendPage(reply, <PublicListPage c={c} people={people} />);
    }),
  );

  // For the organisation's own web pages: the authenticated iD of a person, as JSON, CORS open.
  app.get(
    '/o/:tenant/api/people/:localId',
    tenantRoute(async (req, reply, tenant) => {
      reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300');
      const { localId } = req.params as { localId: string };
      const [row] = await d.portal.displayedIds(tenant.id, { localId, limit: 1 });
      if (!row) throw webErrors.notFound('No authenticated ORCID iD for this person.');
      const registry = d.orcid.environmentOf(tenant).registry;
      return {
        localId: row.localId,
        name: row.name,
        orcid: row.orcid,
        orcidUri: `${registry}/${row.orcid}`,
        authenticated: true,
        connectedAt: new Date(row.grantedAt).toISOString(),
      };
    }),
  );
}
