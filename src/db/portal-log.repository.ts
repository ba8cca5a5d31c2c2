// What happened, for administrators: every ORCID authorize outcome, and the audit log of
// changes people made (connect, disconnect, ...). Both are per tenant.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

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

  async audit(e: {
    tenantId: string;
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
}
