// The console's invitations (/o/{tenant}/admin/invitations): every invitation with its state
// (waiting, sent, failed to send, connected, expired), filtered and paged, with a resend button
// (the person's resend action), and the organisation's reminder policy (a POST, audited).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { INVITATION_STATES } from '../../../domain/invitation-state.js';
import { invitationTemplateSchema, TEMPLATE_LANGUAGES } from '../../../domain/invitation-template.js';
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

const templateForm = z.object({
  language: z.enum(TEMPLATE_LANGUAGES),
  subject: z.string().optional(),
  body: z.string().optional(),
  reset: z.literal('yes').optional(),
});

const listQuery = z.object({
  state: z.enum(INVITATION_STATES).or(z.literal('')).optional(),
  /** The language whose template the page shows for editing. */
  template: z.enum(TEMPLATE_LANGUAGES).optional(),
  after: pageKeySchema(UUID).optional(),
  lang: z.string().optional(),
});

const policyForm = z.object({
  reminders: z.coerce.number().int('a whole number').min(0).max(10),
  everyDays: z.coerce.number().int('a whole number').min(1).max(365),
  language: z.enum(TEMPLATE_LANGUAGES),
  orcidInbox: z
    .literal('yes')
    .optional()
    .transform((v) => v === 'yes'),
});

export function invitationRoutes(app: FastifyInstance, d: InvitationRouteDeps): void {
  const adminRoute = requireAdmin(d);
  app.get(
    '/o/:tenant/admin/invitations',
    adminRoute(async (req, reply, tenant) => {
      const q = parsedInput(listQuery, req.query, 'path');
      const state = q.state || undefined;
      const [page, inboxRequests] = await Promise.all([
        d.invitations.list(tenant, state, q.after, PAGE_SIZE),
        d.invitations.inboxRequests(tenant),
      ]);
      const policy = d.invitations.policy(tenant);
      const language = q.template ?? policy.language;
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = takeFlash(req);
      return sendPage(
        reply,
        <InvitationsPage
          c={c}
          state={state}
          page={page}
          policy={policy}
          inboxRequests={inboxRequests}
          template={{ language, saved: tenant.invitation_templates[language] ?? null }}
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

  app.post(
    '/o/:tenant/admin/invitations/template',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const form = parsedInput(templateForm, req.body, 'body');
      const template = form.reset ? null : parsedInput(invitationTemplateSchema, form, 'body');
      await d.invitations.saveTemplate(tenant, form.language, template, `admin:${admin.local_id}`);
      req.session.flash = {
        key: template ? 'console.invitations.templateSaved' : 'console.invitations.templateReset',
        values: {},
      };
      return reply.redirect(`/o/${tenant.slug}/admin/invitations?template=${form.language}`, 303);
    }),
  );
  app.post(
    '/o/:tenant/admin/invitations/test',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      let flash: { key: string; values: Record<string, string> };
      try {
        flash = (await d.invitations.sendTest(tenant, admin, `admin:${admin.local_id}`))
          ? { key: 'console.invitations.testSent', values: { email: admin.email ?? '' } }
          : { key: 'console.invitations.testNoEmail', values: {} };
      } catch (e) {
        flash = { key: 'console.invitations.testFailed', values: { error: (e as Error).message } };
      }
      req.session.flash = flash;
      return reply.redirect(`/o/${tenant.slug}/admin/invitations`, 303);
    }),
  );
}
