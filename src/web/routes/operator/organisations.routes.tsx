// The operator's organisations: the list with each one's health, a new organisation (the same
// settings check as `lanyard tenant add`, every problem at once) with its first administrator
// invited by mail, one organisation's page (invite another administrator, suspend, resume,
// delete once its address is typed), and the installation's health.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { NewTenant } from '../../../db/rows.js';
import { DEFAULT_SCOPES } from '../../../domain/tenant.js';
import { AdminInvitationService } from '../../../services/admin-invitation.service.js';
import type { InstallationHealthService } from '../../../services/installation-health.service.js';
import type { OrganisationsService } from '../../../services/organisations.service.js';
import { webErrors } from '../../errors.js';
import {
  EMPTY_ORGANISATION_FORM,
  InstallationHealthPage,
  type NewOrganisationForm,
  NewOrganisationPage,
  OrganisationPage,
  OrganisationsPage,
} from '../../views/operator.js';
import { sendPage, takeFlash } from '../portal/portal-context.js';
import { type OperatorHandler, operatorContext } from './operator-context.js';

interface Deps {
  operatorRoute: (h: OperatorHandler) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  organisations: OrganisationsService;
  invitations: AdminInvitationService;
  health: InstallationHealthService;
  publicUrl: () => string;
}

const field = (max: number) => z.string().trim().max(max).optional().default('');
const newForm = z.object({
  name: field(300),
  slug: field(100),
  environment: field(20),
  apiType: field(20),
  supportContact: field(300),
  adminEmail: field(300),
});
const inviteForm = z.object({ adminEmail: field(300) });
const deleteForm = z.object({ confirm: field(100) });
const idParams = z.object({ id: z.uuid() });

export function organisationRoutes(app: FastifyInstance, d: Deps): void {
  const route = d.operatorRoute;
  const flashOf = (req: FastifyRequest, t: (k: string, v?: Record<string, string>) => string) => {
    const f = takeFlash(req);
    return f ? t(f.key, f.values) : null;
  };

  /** The organisation the path names (404 for one that is not there, or an id that is not one). */
  const organisationOf = async (req: FastifyRequest) => {
    const p = idParams.safeParse(req.params);
    const o = p.success ? await d.organisations.one(p.data.id) : undefined;
    if (!o) throw webErrors.notFound();
    return o;
  };

  const organisationPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    operator: string,
    problems: string[] = [],
  ) => {
    const o = await organisationOf(req);
    const c = operatorContext(req, reply, operator);
    return sendPage(
      reply,
      <OrganisationPage
        c={c}
        o={o}
        invitations={await d.invitations.list(o.tenant.id)}
        flash={flashOf(req, c.t)}
        problems={problems}
        consoleUrl={`/o/${o.tenant.slug}/admin/`}
      />,
      problems.length ? 422 : 200,
    );
  };

  app.get(
    '/operator/',
    route(async (req, reply, operator) => {
      const c = operatorContext(req, reply, operator);
      return sendPage(
        reply,
        <OrganisationsPage c={c} list={await d.organisations.list()} flash={flashOf(req, c.t)} />,
      );
    }),
  );

  const newPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    operator: string,
    form: NewOrganisationForm,
    problems: string[],
  ) =>
    sendPage(
      reply,
      <NewOrganisationPage c={operatorContext(req, reply, operator)} form={form} problems={problems} />,
      problems.length ? 422 : 200,
    );

  app.get(
    '/operator/organisations/new',
    route(async (req, reply, operator) => newPage(req, reply, operator, EMPTY_ORGANISATION_FORM, [])),
  );

  app.post(
    '/operator/organisations',
    { preHandler: app.csrfProtection },
    route(async (req, reply, operator) => {
      const r = newForm.safeParse(req.body ?? {});
      const f = r.success ? r.data : newForm.parse({});
      const earlier = r.success
        ? []
        : r.error.issues.map((i) => `${String(i.path[0] ?? 'form')}: ${i.message}`);
      const apiType = f.apiType === 'public' ? 'public' : 'member';
      const settings = {
        slug: f.slug,
        name: f.name,
        orcidEnvironment: f.environment as NewTenant['orcidEnvironment'],
        apiType: f.apiType as NewTenant['apiType'],
        scopes: DEFAULT_SCOPES[apiType],
        redirectUri: `${d.publicUrl().replace(/\/+$/, '')}/o/${f.slug}/orcid/callback`,
        supportContact: f.supportContact,
      };
      const result = earlier.length
        ? { ok: false as const, problems: earlier }
        : await d.organisations.create(settings, f.adminEmail, `operator:${operator}`);
      if (!result.ok) return newPage(req, reply, operator, f, result.problems);
      req.session.flash = { key: 'operator.flash.created', values: { email: f.adminEmail } };
      return reply.redirect(`/operator/organisations/${result.tenant.id}`, 303);
    }),
  );

  app.get(
    '/operator/organisations/:id',
    route(async (req, reply, operator) => organisationPage(req, reply, operator)),
  );

  app.post(
    '/operator/organisations/:id/invite',
    { preHandler: app.csrfProtection },
    route(async (req, reply, operator) => {
      const o = await organisationOf(req);
      const email = inviteForm.safeParse(req.body ?? {}).data?.adminEmail ?? '';
      const problem = AdminInvitationService.problemOf(email);
      if (o.state === 'deleting') throw webErrors.conflict('The organisation is being deleted.');
      if (problem) return organisationPage(req, reply, operator, [problem]);
      await d.invitations.invite(o.tenant, email, `operator:${operator}`);
      req.session.flash = { key: 'operator.flash.invited', values: { email } };
      return reply.redirect(`/operator/organisations/${o.tenant.id}`, 303);
    }),
  );

  app.post(
    '/operator/organisations/:id/suspend',
    { preHandler: app.csrfProtection },
    route(async (req, reply, operator) => {
      const o = await organisationOf(req);
      if (o.state === 'deleting') throw webErrors.conflict('The organisation is being deleted.');
      await d.organisations.suspend(o.tenant, `operator:${operator}`);
      req.session.flash = { key: 'operator.flash.suspended', values: {} };
      return reply.redirect(`/operator/organisations/${o.tenant.id}`, 303);
    }),
  );

  app.post(
    '/operator/organisations/:id/resume',
    { preHandler: app.csrfProtection },
    route(async (req, reply, operator) => {
      const o = await organisationOf(req);
      if (!(await d.organisations.resume(o.tenant, `operator:${operator}`)))
        throw webErrors.conflict('The organisation is not suspended, or is being deleted.');
      req.session.flash = { key: 'operator.flash.resumed', values: {} };
      return reply.redirect(`/operator/organisations/${o.tenant.id}`, 303);
    }),
  );

  app.post(
    '/operator/organisations/:id/delete',
    { preHandler: app.csrfProtection },
    route(async (req, reply, operator) => {
      const o = await organisationOf(req);
      const confirm = deleteForm.safeParse(req.body ?? {}).data?.confirm ?? '';
      // The organisation's address, typed: a deletion cannot be undone.
      if (confirm !== o.tenant.slug)
        return organisationPage(req, reply, operator, [
          `confirm: type ${o.tenant.slug} to delete this organisation`,
        ]);
      if (o.state !== 'deleting') await d.organisations.delete(o.tenant, `operator:${operator}`);
      req.session.flash = { key: 'operator.flash.deleting', values: { name: o.tenant.name } };
      return reply.redirect('/operator/', 303);
    }),
  );

  app.get(
    '/operator/health',
    route(async (req, reply, operator) =>
      sendPage(
        reply,
        <InstallationHealthPage c={operatorContext(req, reply, operator)} h={await d.health.report()} />,
      ),
    ),
  );
}
