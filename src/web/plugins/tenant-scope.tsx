// The organisation behind /o/{tenant}/ and who may do what there, in one place for every portal
// and admin route: `req.tenant` is resolved once per request, and the route wrappers below
// refuse an unknown organisation (unknown_tenant, 404), send anyone not signed in to the sign-in
// page, and refuse the admin area to anyone not an administrator (sign_in_required 401,
// admin_required 403: the admin area's own page, which says how to get in).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Person, Tenant } from '../../db/rows.js';
import type { AdminAccessService } from '../../services/admin-access.service.js';
import type { OrcidClients } from '../../services/orcid-clients.js';
import type { PortalService } from '../../services/portal.service.js';
import type { TenantDirectory } from '../../services/tenant-directory.js';
import { isWebError, webErrors } from '../errors.js';
import { pageContext, sendPage, signedInPerson } from '../routes/portal/portal-context.js';
import { AdminForbiddenPage } from '../views/admin.js';
import { SuspendedPage } from '../views/portal.js';
import { wantsJson } from './error-pages.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The organisation the URL names (null: none, or unknown). */
    tenant: Tenant | null;
  }
}

const ADMIN_REFUSALS = new Set(['admin_required', 'sign_in_required']);

export const tenantScope = fp(
  async (app: FastifyInstance, d: { directory: Pick<TenantDirectory, 'bySlug'>; orcid: OrcidClients }) => {
    app.decorateRequest('tenant', null);
    // After the input guard (a slug holding a NUL is refused with 400 before it reaches a query).
    app.addHook('preValidation', async (req) => {
      const slug = (req.params as { tenant?: unknown }).tenant;
      req.tenant = typeof slug === 'string' ? ((await d.directory.bySlug(slug)) ?? null) : null;
      // A suspended organisation's pages, callbacks and forms all say so, and do nothing else.
      if (req.tenant?.suspended_at) throw webErrors.suspended();
    });
    // A refusal of the admin area is shown in the organisation's pages; every other error goes
    // on to the app's error pages.
    app.setErrorHandler(async (err, req, reply) => {
      if (isWebError(err) && err.id === 'suspended' && req.tenant && !wantsJson(req)) {
        const c = pageContext(req, reply, req.tenant, d.orcid, false);
        return sendPage(reply, <SuspendedPage c={c} />, err.statusCode);
      }
      if (!isWebError(err) || !ADMIN_REFUSALS.has(err.id) || !req.tenant || wantsJson(req)) throw err;
      const signedIn = err.id === 'admin_required';
      const c = pageContext(req, reply, req.tenant, d.orcid, signedIn);
      return sendPage(reply, <AdminForbiddenPage c={c} signedIn={signedIn} />, err.statusCode);
    });
  },
);

export type TenantHandler = (req: FastifyRequest, reply: FastifyReply, tenant: Tenant) => Promise<unknown>;

/** A route's handler once its organisation and signed-in person are known. */
export type PersonHandler = (
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  person: Person,
) => Promise<unknown>;

/** A route of one organisation: an unknown one answers 404. */
export const tenantRoute =
  (handler: TenantHandler) =>
  async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (!req.tenant) throw webErrors.unknownTenant();
    return handler(req, reply, req.tenant);
  };

/** Actions of a signed-in person; anyone else is sent to the organisation's sign-in page. */
export const personRoute = (portal: PortalService) => (handler: PersonHandler) =>
  tenantRoute(async (req, reply, tenant) => {
    const person = await signedInPerson(req, tenant, portal);
    if (person) return handler(req, reply, tenant, person);
    return reply.redirect(`/o/${tenant.slug}/`, 303);
  });

/** The admin area: administrators only (401 to someone not signed in, 403 to other people). */
export const requireAdmin =
  (d: { portal: PortalService; admins: AdminAccessService }) => (handler: PersonHandler) =>
    tenantRoute(async (req, reply, tenant) => {
      const person = await signedInPerson(req, tenant, d.portal);
      if (person && (await d.admins.isAdmin(tenant, person))) return handler(req, reply, tenant, person);
      throw webErrors.adminRequired(person !== null);
    });
