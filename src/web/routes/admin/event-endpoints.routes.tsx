// The console's event endpoints (/o/{tenant}/admin/settings/events): add one (checked as the CLI
// checks it: a URL Lanyard may send to through the SSRF guard, https on production, known event
// types), its secret shown in that answer only; remove one; see the newest deliveries.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tenant } from '../../../db/rows.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import { EndpointRefused, type EventService } from '../../../services/events.service.js';
import { webErrors } from '../../errors.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { type EndpointForm, EventEndpointsPage } from '../../views/admin-events.js';
import { type PortalDeps, pageContext, sendPage, takeFlash } from '../portal/portal-context.js';

export interface EventEndpointRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  events: EventService;
}

const endpointForm = z.object({
  url: z.string().trim().max(2000).optional().default(''),
  description: z.string().trim().max(300).optional().default(''),
  types: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

const DELIVERIES_SHOWN = 50;

export function eventEndpointRoutes(app: FastifyInstance, d: EventEndpointRouteDeps): void {
  const adminRoute = requireAdmin(d);
  const base = (t: Tenant) => `/o/${t.slug}/admin/settings/events`;

  const page = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    o: { form?: EndpointForm; made?: { url: string; secret: string }; problem?: string } = {},
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    const flash = takeFlash(req);
    return sendPage(
      reply,
      <EventEndpointsPage
        c={c}
        endpoints={await d.events.endpoints(tenant.id)}
        deliveries={await d.events.deliveries(tenant.id, DELIVERIES_SHOWN)}
        form={o.form ?? { url: '', description: '', types: [] }}
        made={o.made ?? null}
        problem={o.problem ?? null}
        flash={flash ? c.t(flash.key, flash.values) : null}
      />,
      o.problem ? 422 : 200,
    );
  };

  app.get(
    '/o/:tenant/admin/settings/events',
    adminRoute(async (req, reply, tenant) => page(req, reply, tenant)),
  );

  app.post(
    '/o/:tenant/admin/settings/events',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const r = endpointForm.safeParse(req.body ?? {});
      const form = r.success ? r.data : endpointForm.parse({});
      if (!r.success) return page(req, reply, tenant, { form, problem: r.error.issues[0]!.message });
      if (!form.url)
        return page(req, reply, tenant, { form, problem: 'url: give the address to send events to' });
      try {
        const made = await d.events.addEndpoint(
          tenant,
          { url: form.url, eventTypes: form.types, description: form.description || null },
          `admin:${admin.local_id}`,
        );
        // The secret is in this answer only (sendPage marks it no-store).
        return page(req, reply, tenant, { made: { url: made.url, secret: made.secret } });
      } catch (e) {
        if (e instanceof EndpointRefused)
          return page(req, reply, tenant, { form, problem: `url: ${e.message}` });
        throw e;
      }
    }),
  );

  app.post(
    '/o/:tenant/admin/settings/events/:id/remove',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const id = (req.params as { id?: string }).id ?? '';
      // Another organisation's endpoint is not found here.
      if (
        !z.uuid().safeParse(id).success ||
        !(await d.events.removeEndpoint(tenant.id, id, `admin:${admin.local_id}`))
      )
        throw webErrors.notFound();
      req.session.flash = { key: 'console.events.removed', values: {} };
      return reply.redirect(base(tenant), 303);
    }),
  );
}
