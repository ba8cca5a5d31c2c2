// The organisation page of the admin area (/o/{tenant}/admin/organisation): its identity as its
// affiliations name it, and the rename (open affiliations are ended under the old name and begun
// again under the new one).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OrgIdentity, Tenant } from '../../../db/rows.js';
import { DISAMBIGUATION_SOURCES } from '../../../domain/affiliation-csv.js';
import { isCountryCode } from '../../../domain/countries.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { OrganisationRenameService } from '../../../services/organisation-rename.service.js';
import type { TenantSettingsService } from '../../../services/tenant-settings.service.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { type OrganisationForm, OrganisationPage } from '../../views/admin-organisation.js';
import { type PortalDeps, pageContext, sendPage, takeFlash } from '../portal/portal-context.js';

export interface OrganisationRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  rename: OrganisationRenameService;
  settings: TenantSettingsService;
}

const renameForm = z.object({
  name: z.string().trim().min(1, 'the new name is required').max(1000),
  city: z.string().trim().min(1, 'ORCID requires the city').max(1000),
  region: z.string().trim().max(1000),
  country: z.string().trim().toUpperCase().refine(isCountryCode, 'an ISO 3166 country code, e.g. NZ'),
  disambiguatedId: z.string().trim().min(1, "ORCID requires the organisation's identifier").max(1000),
  disambiguationSource: z.enum(DISAMBIGUATION_SOURCES),
  effective: z.iso.date('a date'),
});

const formOf = (body: unknown): OrganisationForm => {
  const b = (body ?? {}) as Record<string, unknown>;
  const v = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
  return {
    name: v('name'),
    city: v('city'),
    region: v('region'),
    country: v('country'),
    disambiguatedId: v('disambiguatedId'),
    disambiguationSource: v('disambiguationSource'),
    effective: v('effective'),
  };
};

/** "org.city: message" as the page lists problems. */
const asField = (problem: string) => {
  const [field, ...rest] = problem.split(': ');
  return { field: field!.replace(/^org\./, ''), message: rest.join(': ') };
};

const currentOf = (t: Tenant): OrganisationForm => ({
  name: t.org_name ?? t.name,
  city: t.org_city ?? '',
  region: t.org_region ?? '',
  country: t.org_country ?? '',
  disambiguatedId: t.org_disambiguated_id ?? '',
  disambiguationSource: t.org_disambiguation_source ?? 'ROR',
  effective: new Date().toISOString().slice(0, 10),
});

/** The organisation's identity and its rename (admin action). */
export function organisationRoutes(app: FastifyInstance, d: OrganisationRouteDeps): void {
  const adminRoute = requireAdmin(d);
  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    form: OrganisationForm,
    problems: Array<{ field: string; message: string }> = [],
    done: Awaited<ReturnType<OrganisationRenameService['rename']>> | null = null,
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    const flash = takeFlash(req);
    return sendPage(
      reply,
      <OrganisationPage
        c={c}
        current={currentOf(tenant)}
        form={form}
        problems={problems}
        done={done}
        flash={flash ? c.t(flash.key, flash.values) : null}
      />,
      problems.length ? 422 : 200,
    );
  };
  // A correction (or the first setting) of the identity: saved as a setting, through the same
  // check as `lanyard tenant update --portal-file`; affiliations already written are not touched.
  app.post(
    '/o/:tenant/admin/organisation/identity',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const form = formOf(req.body);
      // What the form leaves empty is cleared (null), not kept.
      const given = (v: string) => (v.trim() ? v.trim() : null);
      const org: OrgIdentity = {
        name: given(form.name),
        city: given(form.city),
        region: given(form.region),
        country: given(form.country)?.toUpperCase() ?? null,
        disambiguatedId: given(form.disambiguatedId),
        disambiguationSource: given(form.disambiguationSource) as OrgIdentity['disambiguationSource'],
      };
      const saved = await d.settings.update(tenant, { org }, `admin:${admin.local_id}`);
      if (!saved.ok)
        return page(
          req,
          reply,
          tenant,
          { ...form, effective: currentOf(tenant).effective },
          saved.problems.map(asField),
        );
      req.session.flash = { key: 'console.organisation.corrected', values: {} };
      return reply.redirect(`/o/${tenant.slug}/admin/organisation`, 303);
    }),
  );
  app.get(
    '/o/:tenant/admin/organisation',
    adminRoute(async (req, reply, tenant) => page(req, reply, tenant, currentOf(tenant))),
  );
  app.post(
    '/o/:tenant/admin/organisation',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const form = formOf(req.body);
      const parsed = renameForm.safeParse(form);
      if (!parsed.success)
        return page(
          req,
          reply,
          tenant,
          form,
          parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'form'), message: i.message })),
        );
      const { effective, region, ...org } = parsed.data;
      const done = await d.rename.rename(
        tenant.id,
        { ...org, region: region || null },
        effective,
        admin.local_id,
      );
      const renamed: Tenant = {
        ...tenant,
        name: org.name,
        org_name: org.name,
        org_city: org.city,
        org_region: region || null,
        org_country: org.country,
        org_disambiguated_id: org.disambiguatedId,
        org_disambiguation_source: org.disambiguationSource,
      };
      return page(req, reply, renamed, { ...currentOf(renamed), effective }, [], done);
    }),
  );
}
