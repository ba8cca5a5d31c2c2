// The console's ORCID call log (/o/{tenant}/admin/calls): filtered pages, one call's request and
// answer, exports of the filtered calls (CSV, JSON; streamed), and shared links for ORCID support
// (made and revoked here, opened at /shared/calls/{token} without an account: see
// shared-calls.routes). Another organisation's call or share is unknown here: 404.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CALL_METHODS, callStatusFilter } from '../../../domain/call-log-query.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import { type CallFilter, type CallLogService, SHARE_DAYS } from '../../../services/call-log.service.js';
import { pageKeySchema, parsedInput, UUID } from '../../console-input.js';
import { webErrors } from '../../errors.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { CallLogPage, CallPage, SharedLinkPage } from '../../views/admin-calls.js';
import { type PortalDeps, pageContext, sendPage, takeFlash } from '../portal/portal-context.js';
import { sendExport } from './send-export.js';

export interface CallRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  calls: CallLogService;
  /** The installation's address (known once the web role listens): shared links are made with it. */
  publicUrl: () => string;
}

export const CALLS_PAGE_SIZE = 50;

const ORCID = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const day = z.iso.date('a date (YYYY-MM-DD)');

/** The filter's fields, as the list's query string and the share form carry them. */
const filterFields = z.object({
  person: z.string().trim().max(200).optional(),
  orcid: z
    .string()
    .trim()
    .toUpperCase()
    .regex(ORCID, 'an ORCID iD (0000-0000-0000-0000)')
    .or(z.literal(''))
    .optional(),
  method: z.enum(CALL_METHODS).or(z.literal('')).optional(),
  path: z.string().trim().max(300).optional(),
  status: z
    .string()
    .trim()
    .refine((v) => v === '' || callStatusFilter(v) !== null, 'a status (e.g. 404), 2xx, 4xx, 5xx or none')
    .optional(),
  code: z
    .string()
    .trim()
    .regex(/^(\d{1,5})?$/, 'an ORCID error code (e.g. 9010)')
    .optional(),
  from: day.or(z.literal('')).optional(),
  to: day.or(z.literal('')).optional(),
});
type FilterFields = z.infer<typeof filterFields>;

const pageKey = pageKeySchema(/^\d{1,18}$/);

function filterOf(f: FilterFields): CallFilter {
  const next = (d: string) => new Date(Date.parse(d) + 86_400_000);
  return {
    localId: f.person || undefined,
    orcid: f.orcid || undefined,
    method: f.method || undefined,
    path: f.path || undefined,
    status: f.status ? (callStatusFilter(f.status) ?? undefined) : undefined,
    errorCode: f.code ? Number(f.code) : undefined,
    from: f.from ? new Date(f.from) : undefined,
    // The "to" day is included.
    to: f.to ? next(f.to) : undefined,
  };
}

const shareForm = filterFields.extend({
  call: z.union([z.string(), z.array(z.string())]).optional(),
  days: z.enum(SHARE_DAYS.map(String) as [string, ...string[]]).optional(),
  note: z.string().trim().max(500).optional(),
});

const idOf = (value: string | undefined, pattern: RegExp) => {
  if (!value || !pattern.test(value)) throw webErrors.notFound();
  return value;
};
const CALL_ID = /^\d{1,18}$/;

export function callRoutes(app: FastifyInstance, d: CallRouteDeps): void {
  const adminRoute = requireAdmin(d);
  const listFields = (req: FastifyRequest) =>
    parsedInput(
      filterFields.extend({ after: pageKey.optional(), lang: z.string().optional() }),
      req.query,
      'path',
    );

  app.get(
    '/o/:tenant/admin/calls',
    adminRoute(async (req, reply, tenant) => {
      const fields = listFields(req);
      const [page, shares] = await Promise.all([
        d.calls.page(tenant.id, filterOf(fields), fields.after, CALLS_PAGE_SIZE),
        d.calls.shares(tenant.id),
      ]);
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = takeFlash(req);
      return sendPage(
        reply,
        <CallLogPage
          c={c}
          fields={fields}
          page={page}
          shares={shares}
          flash={flash ? c.t(flash.key, flash.values) : null}
        />,
      );
    }),
  );

  for (const format of ['csv', 'json'] as const)
    app.get(
      `/o/:tenant/admin/calls/export.${format}`,
      adminRoute(async (req, reply, tenant, admin) => {
        const fields = listFields(req);
        const text = d.calls.export(tenant.id, filterOf(fields), format, `admin:${admin.local_id}`);
        return sendExport(reply, text, `orcid-calls-${tenant.slug}.${format}`, format);
      }),
    );

  app.get(
    '/o/:tenant/admin/calls/:id',
    adminRoute(async (req, reply, tenant) => {
      const call = await d.calls.call(tenant.id, idOf((req.params as { id?: string }).id, CALL_ID));
      if (!call) throw webErrors.notFound();
      const c = pageContext(req, reply, tenant, d.orcid, true);
      return sendPage(reply, <CallPage c={c} call={call} />);
    }),
  );

  app.post(
    '/o/:tenant/admin/calls/share',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const form = parsedInput(shareForm, req.body, 'body');
      const chosen = [form.call ?? []].flat().filter((id) => CALL_ID.test(id));
      const shared = await d.calls.share(tenant.id, {
        chosen,
        filter: filterOf(form),
        days: Number(form.days ?? 7),
        note: form.note || null,
        actor: `admin:${admin.local_id}`,
      });
      if (!shared) throw webErrors.conflict('No call matches: there is nothing to share.');
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const url = new URL(`/shared/calls/${shared.token}`, d.publicUrl() || `${req.protocol}://${req.host}`)
        .href;
      return sendPage(
        reply,
        <SharedLinkPage c={c} url={url} calls={shared.calls} expiresAt={shared.expiresAt} />,
      );
    }),
  );

  app.post(
    '/o/:tenant/admin/calls/shares/:id/revoke',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const id = idOf((req.params as { id?: string }).id, UUID);
      if (!(await d.calls.revokeShare(tenant.id, id, `admin:${admin.local_id}`))) throw webErrors.notFound();
      req.session.flash = { key: 'console.calls.shareRevoked', values: {} };
      return reply.redirect(`/o/${tenant.slug}/admin/calls`, 303);
    }),
  );
}
