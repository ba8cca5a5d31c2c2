// What happened, for administrators: every ORCID authorize outcome, and the audit log of
// changes people made (connect, disconnect, ...). Both are per tenant.
import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database } from './schema.js';

export type AuditEntry = Selectable<AuditLogTable>;

/** What the audit log viewer narrows the entries with. */
export interface AuditFilter {
  action?: string | undefined;
  actor?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export type AuthorizeOutcome =
  | 'started'
  | 'granted'
  | 'denied'
  | 'orcid_error'
  | 'state_invalid'
  | 'exchange_failed'
  | 'id_token_invalid'
  | 'wrong_account'
  | 'already_connected';

export class PortalLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async authorization(e: {
    tenantId: string;
    personId: string | null;
    outcome: AuthorizeOutcome;
    orcid?: string | null;
    scope?: string | null;
    detail?: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('orcid_authorizations')
      .values({
        tenant_id: e.tenantId,
        person_id: e.personId,
        outcome: e.outcome,
        orcid: e.orcid ?? null,
        scope: e.scope ?? null,
        detail: e.detail ?? null,
      })
      .execute();
  }

  /** An administrative action; `tenantId` null for one of the whole installation (key rotation). */
  async audit(e: {
    tenantId: string | null;
    actor: string;
    action: string;
    subject?: string | null;
    details?: Record<string, unknown>;
  }): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        tenant_id: e.tenantId,
        actor: e.actor,
        action: e.action,
        subject: e.subject ?? null,
        details: JSON.stringify(e.details ?? {}),
      })
      .execute();
  }

  private filtered(tenantId: string, f: AuditFilter) {
    let q = this.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
    // An action names its kind ("person", "calls") or itself ("person.deleted").
    if (f.action)
      q = q.where((eb) => eb.or([eb('action', '=', f.action!), eb('action', 'like', `${f.action}.%`)]));
    if (f.actor) q = q.where('actor', '=', f.actor);
    if (f.from) q = q.where('created_at', '>=', f.from);
    if (f.to) q = q.where('created_at', '<', f.to);
    return q.orderBy('id', 'desc');
  }

  /** A page of the audit log, newest first; `next` is the id the following page starts before. */
  async auditPage(
    tenantId: string,
    f: AuditFilter & { before?: string | undefined; limit: number },
  ): Promise<{ rows: AuditEntry[]; next: string | null }> {
    let q = this.filtered(tenantId, f);
    if (f.before) q = q.where('id', '<', f.before);
    const rows = await q.limit(f.limit + 1).execute();
    const page = rows.slice(0, f.limit);
    return { rows: page, next: rows.length > f.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** Every entry the filter matches, newest first, a batch at a time. */
  async *auditAll(tenantId: string, f: AuditFilter, batch = 1000): AsyncGenerator<AuditEntry[]> {
    let before: string | undefined;
    for (;;) {
      let q = this.filtered(tenantId, f);
      if (before) q = q.where('id', '<', before);
      const rows = await q.limit(batch).execute();
      if (!rows.length) return;
      yield rows;
      if (rows.length < batch) return;
      before = rows.at(-1)!.id;
    }
  }

  /** The kinds of action the organisation's log holds (for the viewer's filter). */
  async auditActions(tenantId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .select('action')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .orderBy('action')
      .execute();
    return rows.map((r) => r.action);
  }
}
