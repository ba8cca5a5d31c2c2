// The administrators' area under /o/{tenant}/admin/: uploads (form, live progress, export).
// Administrators sign in through the portal's institutional sign-in; the admin role comes from
// configuration (LANYARD_ADMINS) or `lanyard admin grant`. A foreign upload id answers 404.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminUserRepository } from '../../../db/admin-user.repository.js';
import type { Person } from '../../../db/person.repository.js';
import type { Tenant } from '../../../db/tenant.repository.js';
import { MAX_UPLOAD_BYTES, UploadRefused } from '../../../domain/upload-file.js';
import { UploadService } from '../../../services/upload.service.js';
import { ADMIN_STATUS_WORDS, AdminForbiddenPage, UploadPage, UploadsPage } from '../../views/admin.js';
import { type PortalDeps, pageContext, sendPage, signedInPerson } from '../portal/portal-context.js';
import { uploadProgressScript } from './upload-progress.js.js';

export interface AdminRouteDeps extends PortalDeps {
  admins: AdminUserRepository;
  /** "slug:local-id" pairs from LANYARD_ADMINS. */
  configuredAdmins: readonly string[];
  uploads: UploadService;
}

type AdminHandler = (
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  admin: Person,
) => Promise<unknown>;

const PROGRESS_JS = uploadProgressScript(ADMIN_STATUS_WORDS);

export function adminRoutes(app: FastifyInstance, d: AdminRouteDeps): void {
  app.get('/assets/upload-progress.js', async (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(PROGRESS_JS),
  );

  const isAdmin = async (tenant: Tenant, person: Person) =>
    d.configuredAdmins.includes(`${tenant.slug}:${person.local_id}`) ||
    d.admins.isAdmin(tenant.id, person.local_id);

  const adminRoute =
    (handler: AdminHandler) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const tenant = await d.tenantCache.bySlug((req.params as { tenant: string }).tenant);
      if (!tenant) return reply.callNotFound();
      const person = await signedInPerson(req, tenant, d.people);
      if (person && (await isAdmin(tenant, person))) return handler(req, reply, tenant, person);
      const c = pageContext(req, reply, tenant, d.orcid, person !== null);
      return sendPage(reply, <AdminForbiddenPage c={c} signedIn={person !== null} />, person ? 403 : 401);
    };

  const uploadOf = async (reply: FastifyReply, tenant: Tenant, req: FastifyRequest) => {
    const upload = await d.uploads.byId(tenant.id, (req.params as { id: string }).id);
    if (!upload) reply.callNotFound();
    return upload;
  };

  const listPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    refused?: { filename: string; problems: UploadRefused['problems'] },
  ) => {
    const uploads = await d.uploads.list(tenant.id);
    const withProgress = await Promise.all(
      uploads.map(async (u) => ({ ...u, progress: await d.uploads.progress(tenant.id, u.id) })),
    );
    const c = pageContext(req, reply, tenant, d.orcid, true);
    return sendPage(
      reply,
      <UploadsPage c={c} uploads={withProgress} problems={refused?.problems} filename={refused?.filename} />,
      refused ? 422 : 200,
    );
  };

  app.get('/o/:tenant/admin', async (req, reply) => reply.redirect(`${req.url.split('?')[0]}/`, 301));
  app.get(
    '/o/:tenant/admin/',
    adminRoute((req, reply, tenant) => listPage(req, reply, tenant)),
  );

  app.register(async (uploads) => {
    // Files are read whole (the check is all-or-nothing); beyond twice the limit the request
    // is cut off, below it the upload service explains the limit.
    uploads.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: 2 * MAX_UPLOAD_BYTES, files: 1, fields: 5 },
    });
    uploads.post(
      '/o/:tenant/admin/uploads',
      { preHandler: app.csrfProtection },
      adminRoute(async (req, reply, tenant, admin) => {
        const file = (req.body as { file?: { filename?: string; toBuffer?: () => Promise<Buffer> } }).file;
        const filename = file?.filename || 'upload';
        const format = UploadService.formatOf(filename);
        if (!file?.toBuffer || !format)
          return listPage(req, reply, tenant, {
            filename,
            problems: [
              {
                row: null,
                column: null,
                message: 'Choose a .csv (affiliations) or .json (works, funding, peer reviews) file.',
              },
            ],
          });
        try {
          const upload = await d.uploads.accept(
            tenant.id,
            { format, filename, bytes: await file.toBuffer() },
            admin.local_id,
          );
          return reply.redirect(`/o/${tenant.slug}/admin/uploads/${upload.id}`, 303);
        } catch (e) {
          if (e instanceof UploadRefused)
            return listPage(req, reply, tenant, { filename, problems: e.problems });
          throw e;
        }
      }),
    );
  });

  app.get(
    '/o/:tenant/admin/uploads/:id',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(reply, tenant, req);
      if (!upload) return reply;
      const c = pageContext(req, reply, tenant, d.orcid, true);
      return sendPage(
        reply,
        <UploadPage c={c} upload={upload} progress={await d.uploads.progress(tenant.id, upload.id)} />,
      );
    }),
  );

  app.get(
    '/o/:tenant/admin/uploads/:id/progress',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(reply, tenant, req);
      if (!upload) return reply;
      return reply.header('cache-control', 'no-store').send(await d.uploads.progress(tenant.id, upload.id));
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
