// The admin area's uploads, /o/{tenant}/admin/ (its first page): the form, live progress, export.
// Administrators sign in through the portal's institutional sign-in; the admin role comes from
// configuration (LANYARD_ADMINS) or `lanyard admin grant`. A foreign upload id answers 404.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tenant } from '../../../db/rows.js';
import { MAX_UPLOAD_BYTES, UPLOAD_STATES, UploadRefused } from '../../../domain/upload-file.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import { UploadService } from '../../../services/upload.service.js';
import { pageKeyParam, pageKeySchema, parsedInput, UUID } from '../../console-input.js';
import { webErrors } from '../../errors.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { UploadPage, UploadsPage } from '../../views/admin-uploads.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';
import { MalformedUpload, receiveFile } from './receive-file.js';
import { UPLOAD_PROGRESS_JS } from './upload-progress.js.js';

export interface UploadRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  uploads: UploadService;
}

const UPLOADS_PAGE_SIZE = 50;

const listQuery = z.object({
  state: z.enum(UPLOAD_STATES).or(z.literal('')).optional(),
  name: z.string().trim().max(200).optional(),
  by: z.string().trim().max(200).optional(),
  after: pageKeySchema(UUID).optional(),
  lang: z.string().optional(),
});

export function uploadRoutes(app: FastifyInstance, d: UploadRouteDeps): void {
  app.get('/assets/upload-progress.js', async (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(UPLOAD_PROGRESS_JS),
  );

  const adminRoute = requireAdmin(d);

  const uploadOf = async (tenant: Tenant, req: FastifyRequest) => {
    const id = (req.params as { id: string }).id;
    // Not an upload id at all (PostgreSQL would refuse it as a uuid): unknown, like a foreign one.
    const upload = z.uuid().safeParse(id).success ? await d.uploads.byId(tenant.id, id) : undefined;
    if (!upload) throw webErrors.notFound();
    return upload;
  };

  const listPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    refused?: { problems: UploadRefused['problems'] },
    status?: number,
  ) => {
    const fields = parsedInput(listQuery, req.method === 'GET' ? req.query : {}, 'path');
    const page = await d.uploads.list(tenant.id, {
      state: fields.state || undefined,
      name: fields.name || undefined,
      by: fields.by || undefined,
      after: fields.after,
      limit: UPLOADS_PAGE_SIZE,
    });
    const withProgress = await Promise.all(
      page.rows.map(async (u) => ({ ...u, progress: await d.uploads.progress(tenant.id, u) })),
    );
    const c = pageContext(req, reply, tenant, d.orcid, true);
    return sendPage(
      reply,
      <UploadsPage
        c={c}
        uploads={withProgress}
        fields={fields}
        next={page.next ? pageKeyParam(page.next) : null}
        problems={refused?.problems}
      />,
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
          return listPage(req, reply, tenant, { problems: e.problems }, status);
        }
      }),
    );
  });

  app.get(
    '/o/:tenant/admin/uploads/:id',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(tenant, req);
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
      const upload = await uploadOf(tenant, req);
      return reply.header('cache-control', 'no-store').send(await d.uploads.progress(tenant.id, upload));
    }),
  );

  app.get(
    '/o/:tenant/admin/uploads/:id/export',
    adminRoute(async (req, reply, tenant) => {
      const upload = await uploadOf(tenant, req);
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
