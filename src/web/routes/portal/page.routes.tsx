// The researcher's page, /o/{tenant}/: the sign-in page to anyone not signed in, else their iD
// (per ORCID's display guidelines), what the organisation asks and why, and what it wrote.

import type { FastifyInstance } from 'fastify';
import { hasOrcidCredentials, scopesCover } from '../../../domain/tenant.js';
import { tenantRoute } from '../../plugins/tenant-scope.js';
import { PortalPage } from '../../views/portal.js';
import {
  type PortalDeps,
  pageContext,
  portalTexts,
  scopeList,
  sendPage,
  takeFlash,
} from './portal-context.js';
import { renderSignIn } from './sign-in.routes.js';

export function pageRoutes(app: FastifyInstance, d: PortalDeps): void {
  app.get(
    '/o/:tenant/',
    tenantRoute(async (req, reply, tenant) => {
      const personId = req.session.tenantId === tenant.id ? req.session.personId : undefined;
      const view = personId ? await d.portal.page(tenant.id, personId) : null;
      if (!view) return renderSignIn(req, reply, tenant, d, null);
      const { person, link, summary, items, held } = view;
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = takeFlash(req);
      return sendPage(
        reply,
        <PortalPage
          c={c}
          orcidReady={hasOrcidCredentials(tenant)}
          v={{
            personName: [person.given_names, person.family_name].filter(Boolean).join(' ') || person.local_id,
            items,
            flash: flash ? c.t(flash.key, { org: tenant.name, ...flash.values }) : null,
            ...portalTexts(tenant, c.lang),
            askedScopes: scopeList(tenant.scopes),
            link: link
              ? {
                  orcid: link.orcid,
                  scopes: scopeList(link.scope),
                  grantedAt: new Date(link.grantedAt),
                  needsMore: !scopesCover(link.scope, tenant.scopes),
                  syncedAt: link.syncedAt ? new Date(link.syncedAt) : null,
                }
              : null,
            summary,
            held,
          }}
        />,
      );
    }),
  );
  app.get('/o/:tenant', async (req, reply) => reply.redirect(`${req.url.split('?')[0]}/`, 301));
}
