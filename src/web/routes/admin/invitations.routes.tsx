// The console's invitations (/o/{tenant}/admin/invitations): every invitation with its state
// (waiting, sent, failed to send, connected, expired), filtered and paged, with a resend button
// (the person's resend action), and the organisation's reminder policy (a POST, audited).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { INVITATION_STATES } from '../../../domain/invitation-state.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { InvitationsConsoleService } from '../../../services/invitations-console.service.js';
import { pageKeySchema, parsedInput, UUID } from '../../console-input.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { InvitationsPage } from '../../views/admin-invitations.js';
import { type PortalDeps, pageContext, sendPage, takeFlash } from '../portal/portal-context.js';

export interface InvitationRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  invitations: InvitationsConsoleService;
}

const PAGE_SIZE = 50;

const listQuery = z.object({
  state: z.enum(INVITATION_STATES).or(z.literal('')).optional(),
  after: pageKeySchema(UUID).optional(),
  lang: z.string().optional(),
});

const policyForm = z.object({
  reminders: z.coerce.number().int('a whole number').min(0).max(10),
  everyDays: z.coerce.number().int('a whole number').min(1).max(365),
});

export function invitationRoutes(app: FastifyInstance, d: InvitationRouteDeps): void {
  const adminRoute = requireAdmin(d);
  app.get(
    '/o/:tenant/admin/invitations',
    adminRoute(async (req, reply, tenant) => {
      const q = parsedInput(listQuery, req.query, 'path');
      const state = q.state || undefined;
      const page = await d.invitations.list(tenant, state, q.after, PAGE_SIZE);
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = takeFlash(req);
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
      const policy = parsedInput(policyForm, req.body, 'body');
      await d.invitations.setPolicy(tenant, policy, `admin:${admin.local_id}`);
      req.session.flash = { key: 'console.invitations.saved', values: {} };
      return reply.redirect(`/o/${tenant.slug}/admin/invitations`, 303);
    }),
  );
}
