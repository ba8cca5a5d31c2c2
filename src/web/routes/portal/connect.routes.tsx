// Connecting and disconnecting an iD: the POST that sends the person to ORCID, ORCID's callback
// (which also completes "Sign in with ORCID"), and the POST that disconnects (revoking at ORCID).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../../../db/rows.js';
import { hasOrcidCredentials } from '../../../domain/tenant.js';
import type { CallbackQuery, ConnectOrcidService } from '../../../services/connect-orcid.service.js';
import type { DisconnectOrcidService } from '../../../services/disconnect-orcid.service.js';
import { webErrors } from '../../errors.js';
import { personRoute as personRouteOf, tenantRoute } from '../../plugins/tenant-scope.js';
import { ConnectProblemPage, InboxConnectedPage } from '../../views/portal.js';
import {
  type PortalDeps,
  pageContext,
  portalTexts,
  scopeList,
  sendPage,
  signedInPerson,
} from './portal-context.js';

export interface ConnectRouteDeps extends PortalDeps {
  connect: ConnectOrcidService;
  disconnect: DisconnectOrcidService;
  /** "Sign in with ORCID" shares the tenant's ORCID callback; its state lives in the session. */
  orcidSignIn: (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    q: CallbackQuery,
  ) => Promise<unknown>;
}

const str = (v: unknown) => (typeof v === 'string' && v.length <= 4096 ? v : undefined);

export function connectRoutes(app: FastifyInstance, d: ConnectRouteDeps): void {
  const personRoute = personRouteOf(d.portal);

  app.post(
    '/o/:tenant/connect',
    { preHandler: app.csrfProtection },
    personRoute(async (req, reply, tenant, person) => {
      if (!hasOrcidCredentials(tenant))
        throw webErrors.conflict('This organisation has not entered its ORCID credentials yet.');
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const r = await d.connect.start(tenant, person, req.session.sessionId, c.lang);
      if (r.kind === 'redirect') return reply.redirect(r.url, 303);
      req.session.flash = { key: 'flashAlreadyConnected', values: {} };
      return reply.redirect(`${c.base}/`, 303);
    }),
  );

  // ORCID's redirect back (the tenant's registered redirect URI). A GET, as OAuth requires; it
  // changes state only through a single-use state bound to this session and person, or, for a
  // grant from an ORCID inbox request, to the person and iD the request named (no session needed).
  app.get(
    '/o/:tenant/orcid/callback',
    tenantRoute(async (req, reply, tenant) => {
      const q = req.query as Record<string, unknown>;
      const query: CallbackQuery = {};
      for (const k of ['code', 'state', 'error', 'error_description'] as const) {
        const v = str(q[k]);
        if (v !== undefined) query[k] = v;
      }
      const pending = req.session.pendingOrcidSignIn;
      if (pending && pending.tenantId === tenant.id && query.state === pending.state)
        return d.orcidSignIn(req, reply, tenant, query);

      const person = await signedInPerson(req, tenant, d.portal);
      const c = pageContext(req, reply, tenant, d.orcid, person !== null);
      const texts = portalTexts(tenant, c.lang);
      const problemPage = (
        problem: Parameters<typeof ConnectProblemPage>[0]['problem'],
        params: Record<string, string>,
      ) =>
        sendPage(
          reply,
          <ConnectProblemPage
            c={c}
            problem={problem}
            params={params}
            {...texts}
            scopes={scopeList(tenant.scopes)}
          />,
          problem === 'denied' ? 200 : 400,
        );
      const r = await d.connect.complete(
        tenant,
        person ? { personId: person.id, sessionId: req.session.sessionId } : null,
        query,
      );
      if (!r.ok) {
        const current = person ? await d.portal.currentOrcid(tenant.id, person.id) : '';
        return problemPage(r.problem, {
          orcid: r.orcid ?? '',
          current,
          detail: query.error_description ?? query.error ?? '',
        });
      }
      if (person?.id !== r.link.person_id)
        return sendPage(reply, <InboxConnectedPage c={c} orcid={r.link.orcid} />);
      req.session.flash = { key: 'flashConnected', values: {} };
      return reply.redirect(`${c.base}/`, 303);
    }),
  );

  app.post(
    '/o/:tenant/disconnect',
    { preHandler: app.csrfProtection },
    personRoute(async (req, reply, tenant, person) => {
      const r = await d.disconnect.disconnect(tenant, person.id, `person:${person.id}`);
      if (r.ok)
        req.session.flash = {
          key: r.revokedAtOrcid ? 'flashDisconnected' : 'flashDisconnectedPending',
          values: { orcid: r.orcid },
        };
      return reply.redirect(`/o/${tenant.slug}/`, 303);
    }),
  );
}
