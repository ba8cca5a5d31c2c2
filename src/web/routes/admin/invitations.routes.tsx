// The console's invitations (/o/{tenant}/admin/invitations): every invitation with its state
// (waiting, sent, failed to send, connected, expired), filtered and paged, with a resend button
// (the person's resend action), and the organisation's reminder policy (a POST, audited).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { INVITATION_STATES } from '../../../domain/invitation-state.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { InvitationsConsoleService } from '../../../services/invitations-console.service.js';
import { webErrors } from '../../errors.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { InvitationsPage } from '../../views/admin-invitations.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';

export interface InvitationRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  invitations: InvitationsConsoleService;
}

const PAGE_SIZE = 50;

const listQuery = z.object({
  state: z.enum(INVITATION_STATES).or(z.literal('')).optional(),
  after: z
    .string()
    .max(200)
    .transform((s, ctx) => {
      const m = /^(.+)~([0-9a-f-]{36})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
      if (m && !Number.isNaN(Date.parse(m[1]!))) return { at: m[1]!, id: m[2]! };
      ctx.addIssue({ code: 'custom', message: 'not a page of this list' });
      return z.NEVER;
    })
    .optional(),
  lang: z.string().optional(),
});

const policyForm = z.object({
  reminders: z.coerce.number().int('a whole number').min(0).max(10),
  everyDays: z.coerce.number().int('a whole number').min(1).max(365),
});

const refused = (issues: z.core.$ZodIssue[], where: 'path' | 'body') =>
  webErrors.invalidRequest(
    where,
    issues.map((i) => ({ field: String(i.path[0] ?? where), message: i.message })),
  );

export function invitationRoutes(app: FastifyInstance, d: InvitationRouteDeps): void {
  const adminRoute = requireAdmin(d);
  app.get(
    '/o/:tenant/admin/invitations',
    adminRoute(async (req, reply, tenant) => {
      const q = listQuery.safeParse(req.query ?? {});
      if (!q.success) throw refused(q.error.issues, 'path');
      const state = q.data.state || undefined;
      const page = await d.invitations.list(tenant, state, q.data.after, PAGE_SIZE);
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = req.session.flash;
      if (flash) req.session.flash = undefined;
      return sendPage(
        reply,
        <InvitationsPage
          c={c}
          state={state}
          page={page}
          policy={d.invitations.policy(tenant)}
          flash={flash ? c.t(flash.key, flash.values) : null}
        />,
      );
    }),
  );
  app.post(
    '/o/:tenant/admin/invitations/settings',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const f = policyForm.safeParse(req.body ?? {});
      if (!f.success) throw refused(f.error.issues, 'body');
      await d.invitations.setPolicy(tenant, f.data, `admin:${admin.local_id}`);
      req.session.flash = { key: 'console.invitations.saved', values: {} };
      return reply.redirect(`/o/${tenant.slug}/admin/invitations`, 303);
    }),
  );
}
