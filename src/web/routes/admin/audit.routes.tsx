// The console's audit log (/o/{tenant}/admin/audit): every administrative action, newest first,
// filtered by kind of action, actor and days; exported as CSV or JSON (streamed, audited).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { AuditLogService } from '../../../services/audit-log.service.js';
import { parsedInput } from '../../console-input.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { AuditLogPage } from '../../views/admin-audit.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';
import { sendExport } from './send-export.js';

export interface AuditRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  audit: AuditLogService;
}

const PAGE_SIZE = 100;
const day = z.iso.date('a date (YYYY-MM-DD)');

const auditQuery = z.object({
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(300).optional(),
  from: day.or(z.literal('')).optional(),
  to: day.or(z.literal('')).optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'not a page of this log')
    .optional(),
  lang: z.string().optional(),
});

function fieldsOf(req: FastifyRequest) {
  const f = parsedInput(auditQuery, req.query, 'path');
  return {
    fields: f,
    filter: {
      action: f.action || undefined,
      actor: f.actor || undefined,
      from: f.from ? new Date(f.from) : undefined,
      // The "to" day is included.
      to: f.to ? new Date(Date.parse(f.to) + 86_400_000) : undefined,
    },
  };
}

export function auditRoutes(app: FastifyInstance, d: AuditRouteDeps): void {
  const adminRoute = requireAdmin(d);
  app.get(
    '/o/:tenant/admin/audit',
    adminRoute(async (req, reply, tenant) => {
      const { fields, filter } = fieldsOf(req);
      const [page, actions] = await Promise.all([
        d.audit.page(tenant.id, filter, fields.before, PAGE_SIZE),
        d.audit.actions(tenant.id),
      ]);
      const c = pageContext(req, reply, tenant, d.orcid, true);
      return sendPage(reply, <AuditLogPage c={c} fields={fields} page={page} actions={actions} />);
    }),
  );
  for (const format of ['csv', 'json'] as const)
    app.get(
      `/o/:tenant/admin/audit/export.${format}`,
      adminRoute(async (req, reply, tenant, admin) => {
        const { filter } = fieldsOf(req);
        const text = d.audit.export(tenant.id, filter, format, `admin:${admin.local_id}`);
        return sendExport(reply, text, `audit-log-${tenant.slug}.${format}`, format);
      }),
    );
}
