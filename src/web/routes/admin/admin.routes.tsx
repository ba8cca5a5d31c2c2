// The administrators' area under /o/{tenant}/admin/: uploads (form, live progress, export).
// Administrators sign in through the portal's institutional sign-in; the admin role comes from
// configuration (LANYARD_ADMINS) or `lanyard admin grant`. A foreign upload id answers 404.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tenant } from '../../../db/rows.js';
import { DISAMBIGUATION_SOURCES } from '../../../domain/affiliation-csv.js';
import { isCountryCode } from '../../../domain/countries.js';
import { MAX_UPLOAD_BYTES, UploadRefused } from '../../../domain/upload-file.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { OrganisationRenameService } from '../../../services/organisation-rename.service.js';
import { UploadService } from '../../../services/upload.service.js';
import { type PersonHandler, requireAdmin } from '../../plugins/tenant-scope.js';
import {
  ADMIN_STATUS_WORDS,
  type OrganisationForm,
  OrganisationPage,
  UploadPage,
  UploadsPage,
} from '../../views/admin.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';
import { MalformedUpload, receiveFile } from './receive-file.js';
import { uploadProgressScript } from './upload-progress.js.js';

export interface AdminRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  rename: OrganisationRenameService;
  uploads: UploadService;
}

/** An administrator's request: the person is an administrator of the organisation. */
type AdminHandler = PersonHandler;

const PROGRESS_JS = uploadProgressScript(ADMIN_STATUS_WORDS);

export function adminRoutes(app: FastifyInstance, d: AdminRouteDeps): void {
  app.get('/assets/upload-progress.js', async (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(PROGRESS_JS),
  );

  const adminRoute = requireAdmin(d);

  const uploadOf = async (reply: FastifyReply, tenant: Tenant, req: FastifyRequest) => {
    const id = (req.params as { id: string }).id;
    // Not an upload id at all (PostgreSQL would refuse it as a uuid): unknown, like a foreign one.
    const upload = z.uuid().safeParse(id).success ? await d.uploads.byId(tenant.id, id) : undefined;
    if (!upload) reply.callNotFound();
    return upload;
  };

  const listPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    refused?: { filename: string; problems: UploadRefused['problems'] },
    status?: number,
  ) => {
    const uploads = await d.uploads.list(tenant.id);
    const withProgress = await Promise.all(
      uploads.map(async (u) => ({ ...u, progress: await d.uploads.progress(tenant.id, u) })),
    );
    const c = pageContext(req, reply, tenant, d.orcid, true);
    return sendPage(
      reply,
      <UploadsPage c={c} uploads={withProgress} problems={refused?.problems} filename={refused?.filename} />,
      status ?? (refused ? 422 : 200),
    );
  };

  app.get('/o/:tenant/admin', async (req, reply) => reply.redirect(`${req.url.split('?')[0]}/`, 301));
  app.get(
    '/o/:tenant/admin/',
    adminRoute((req, reply, tenant) => listPage(req, reply, tenant)),
  );

  app.register(async (uploads) => {
    // The body is not read until sign-in, role and CSRF are checked (the token comes in the
    // query string: a multipart body cannot be read for it first); then the file is streamed to
    // a temporary file, cut off one byte past the limit.
    uploads.register(multipart, {
      limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 1, fields: 5, parts: 6 },
    });
    uploads.post(
      '/o/:tenant/admin/uploads',
      { preHandler: app.csrfProtection },
      adminRoute(async (req, reply, tenant, admin) => {
        try {
          const chooseFile = new UploadRefused([
            {
              row: null,
              column: null,
              message: 'Choose a .csv (affiliations) or .json (works, funding, peer reviews) file.',
            },
          ]);
          const upload = await receiveFile(req, async (filename, content) => {
            const format = UploadService.formatOf(filename);
            if (!format) throw chooseFile;
            return d.uploads.receive(tenant.id, { format, filename, content }, admin.local_id);
          });
          if (!upload) throw chooseFile;
          // Checked and stated by a worker; its page shows the progress from the first second.
          return reply.redirect(`/o/${tenant.slug}/admin/uploads/${upload.id}`, 303);
        } catch (e) {
          if (!(e instanceof UploadRefused)) throw e;
          // Not a readable multipart body: a bad request, nothing received.
          const status = e instanceof MalformedUpload ? 400 : 422;
          return listPage(req, reply, tenant, { filename: 'The upload', problems: e.problems }, status);
        }
      }),
    );
  });

  organisationRoutes(app, d, adminRoute);

  app.get(
    '/o/:tenant/admin/uploads/:id',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(reply, tenant, req);
      if (!upload) return reply;
      const c = pageContext(req, reply, tenant, d.orcid, true);
      return sendPage(
        reply,
        <UploadPage c={c} upload={upload} progress={await d.uploads.progress(tenant.id, upload)} />,
      );
    }),
  );

  app.get(
    '/o/:tenant/admin/uploads/:id/progress',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(reply, tenant, req);
      if (!upload) return reply;
      return reply.header('cache-control', 'no-store').send(await d.uploads.progress(tenant.id, upload));
    }),
  );

  app.get(
    '/o/:tenant/admin/uploads/:id/export',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(reply, tenant, req);
      if (!upload) return reply;
      const file = await d.uploads.export(tenant.id, upload);
      return reply
        .type(file.contentType)
        .header('cache-control', 'no-store')
        .header(
          'content-disposition',
          `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
        )
        .send(file.body);
    }),
  );
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
export function organisationRoutes(
  app: FastifyInstance,
  d: AdminRouteDeps,
  adminRoute: (h: AdminHandler) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void {
  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    form: OrganisationForm,
    problems: Array<{ field: string; message: string }> = [],
    done: Awaited<ReturnType<OrganisationRenameService['rename']>> | null = null,
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    return sendPage(
      reply,
      <OrganisationPage c={c} current={currentOf(tenant)} form={form} problems={problems} done={done} />,
      problems.length ? 422 : 200,
    );
  };
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
