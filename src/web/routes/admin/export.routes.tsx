// The console's data export (/o/{tenant}/admin/export): the organisation's iDs, people, links and
// put codes as CSV or JSON, with the tokens in clear when asked for. Tokens ask for more: the
// organisation must allow it, the administrator must have signed in within the last 10 minutes
// (else they sign in again and come back here), and must confirm. Every export is audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tenant } from '../../../db/rows.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { LinksExportService } from '../../../services/links-export.service.js';
import { parsedInput } from '../../console-input.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { ExportPage } from '../../views/admin-export.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';
import { sendExport } from './send-export.js';

export interface ExportRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  exports: LinksExportService;
}

/** How recent a sign-in must be for tokens to leave in clear. */
export const TOKEN_EXPORT_SIGN_IN_MS = 10 * 60_000;

const exportForm = z.object({
  format: z.enum(['csv', 'json']),
  tokens: z.literal('yes').optional(),
  confirm: z.literal('yes', 'tick the box to confirm the export'),
});

export function exportRoutes(app: FastifyInstance, d: ExportRouteDeps): void {
  const adminRoute = requireAdmin(d);
  const recent = (req: FastifyRequest) =>
    Date.now() - (req.session.signedInAt ?? 0) < TOKEN_EXPORT_SIGN_IN_MS;
  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    problem: string | null,
    status = 200,
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    return sendPage(
      reply,
      <ExportPage
        c={c}
        tokensAllowed={d.exports.tokensAllowed(tenant)}
        signedInRecently={recent(req)}
        problem={problem ? c.t(problem) : null}
      />,
      status,
    );
  };

  app.get(
    '/o/:tenant/admin/export',
    adminRoute(async (req, reply, tenant) => page(req, reply, tenant, null)),
  );

  app.post(
    '/o/:tenant/admin/export',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const form = parsedInput(exportForm, req.body, 'body');
      const withTokens = form.tokens === 'yes';
      if (withTokens && !d.exports.tokensAllowed(tenant))
        return page(req, reply, tenant, 'console.export.forbidden', 403);
      if (withTokens && !recent(req)) return page(req, reply, tenant, 'console.export.signInAgain', 403);
      const text = d.exports.export(tenant, {
        format: form.format,
        withTokens,
        actor: `admin:${admin.local_id}`,
      });
      const name = `orcid-links-${tenant.slug}${withTokens ? '-with-tokens' : ''}.${form.format}`;
      return sendExport(reply, text, name, form.format);
    }),
  );

  // Signs the administrator out and back in through the organisation's sign-in, then here again.
  app.post(
    '/o/:tenant/admin/export/sign-in-again',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant) => {
      await req.session.regenerate();
      req.session.returnTo = `/o/${tenant.slug}/admin/export`;
      return reply.redirect(`/o/${tenant.slug}/`, 303);
    }),
  );
}
