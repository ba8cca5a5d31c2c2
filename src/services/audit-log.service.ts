// The audit log viewer: every administrative action of the organisation (uploads, administrators
// granted and revoked, renames, exports, shares, disconnects, deletions, sign-ins), filtered and
// exported. An export of the log is itself audited.
import type { AuditFilter, PortalLogRepository } from '../db/portal-log.repository.js';
import { type ExportFormat, exportText } from './exports.js';

const COLUMNS = ['id', 'created_at', 'actor', 'action', 'subject', 'details'] as const;

export class AuditLogService {
  constructor(private readonly log: PortalLogRepository) {}

  page(tenantId: string, f: AuditFilter, before: string | undefined, limit: number) {
    return this.log.auditPage(tenantId, { ...f, before, limit });
  }

  actions(tenantId: string) {
    return this.log.auditActions(tenantId);
  }

  async *export(
    tenantId: string,
    f: AuditFilter,
    format: ExportFormat,
    actor: string,
  ): AsyncGenerator<string> {
    await this.log.audit({ tenantId, actor, action: 'audit.exported', subject: null, details: { format } });
    yield* exportText(
      this.log.auditAll(tenantId, f),
      COLUMNS,
      (r, c) => (c === 'id' ? Number(r.id) : r[c as (typeof COLUMNS)[number]]),
      format,
    );
  }
}
