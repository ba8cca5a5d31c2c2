// Invitations to connect and the mail outbox. Every query is scoped by tenant, except the
// outbox listing of the embedded demo, which shows every organisation's mail on one machine.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, MailOutboxTable } from './schema.js';

export type OutboxMessage = Selectable<MailOutboxTable>;

export interface InvitationToSend {
  id: string;
  email: string;
  kind: 'connect' | 'reconsent' | 'renewal' | 'primary';
  sent_at: Date | null;
  given_names: string | null;
  pending_items: number;
  /** The person's active grant's expiry (renewal invitations say when). */
  expires_at: Date | null;
  /** The primary iD their deprecated record was merged into. */
  primary_orcid: string | null;
}

export class InvitationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates the invitations of those people who have an email and none yet; returns their ids. */
  async createFor(tenantId: string, personIds: string[]): Promise<string[]> {
    if (!personIds.length) return [];
    const rows = await this.db
      .insertInto('invitations')
      .columns(['tenant_id', 'person_id', 'email'])
      .expression((eb) =>
        eb
          .selectFrom('people')
          .select(['tenant_id', 'id', 'email'])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', personIds)
          .where('email', 'is not', null),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'person_id']).where('kind', '=', 'connect').doNothing())
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * The person's invitation to connect, to be sent again (its send time and error cleared); made
   * now if they had none. Null when the person has no email address.
   */
  async resend(tenantId: string, personId: string): Promise<string | null> {
    // To the address the person has now.
    const { rows } = await sql<{ id: string }>`
      update invitations v set sent_at = null, last_error = null, email = p.email
      from people p
      where v.tenant_id = ${tenantId} and v.person_id = ${personId} and v.kind = 'connect'
        and p.tenant_id = v.tenant_id and p.id = v.person_id and p.email is not null
      returning v.id`.execute(this.db);
    return rows[0]?.id ?? (await this.createFor(tenantId, [personId]))[0] ?? null;
  }

  /**
   * A re-consent invitation for a person who revoked the organisation at ORCID, unless one was
   * made in the last 90 days (or the person has no email); returns its id.
   */
  async createReconsent(tenantId: string, personId: string): Promise<string | null> {
    const { rows } = await sql<{ id: string }>`
      insert into invitations (tenant_id, person_id, email, kind)
      select p.tenant_id, p.id, p.email, 'reconsent' from people p
      where p.tenant_id = ${tenantId} and p.id = ${personId} and p.email is not null
        and not exists (select from invitations v where v.tenant_id = p.tenant_id and v.person_id = p.id
          and v.kind = 'reconsent' and v.created_at > now() - interval '90 days')
      returning id`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  /**
   * A renewal invitation (the person's grant expires soon) or an invitation to connect the
   * primary iD (their record was merged into it): one per link, which the caller has claimed.
   */
  async createFollowUp(
    tenantId: string,
    personId: string,
    kind: 'renewal' | 'primary',
  ): Promise<string | null> {
    const { rows } = await sql<{ id: string }>`
      insert into invitations (tenant_id, person_id, email, kind)
      select p.tenant_id, p.id, p.email, ${kind} from people p
      where p.tenant_id = ${tenantId} and p.id = ${personId} and p.email is not null
      returning id`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  toSend(tenantId: string, id: string): Promise<InvitationToSend | undefined> {
    return this.db
      .selectFrom('invitations as v')
      .innerJoin('people as p', 'p.id', 'v.person_id')
      .select([
        'v.id',
        'v.email',
        'v.kind',
        'v.sent_at',
        'p.given_names',
        sql<number>`(select count(*)::int from items i where i.tenant_id = v.tenant_id and i.person_id = v.person_id and i.status = 'pending')`.as(
          'pending_items',
        ),
        sql<Date | null>`(select l.expires_at from orcid_links l where l.tenant_id = v.tenant_id and l.person_id = v.person_id and l.status = 'active')`.as(
          'expires_at',
        ),
        sql<
          string | null
        >`(select l.primary_orcid from orcid_links l where l.tenant_id = v.tenant_id and l.person_id = v.person_id and l.status = 'deprecated' order by l.revoked_at desc limit 1)`.as(
          'primary_orcid',
        ),
      ])
      .where('v.tenant_id', '=', tenantId)
      .where('v.id', '=', id)
      .executeTakeFirst();
  }

  async markSent(tenantId: string, id: string, error: string | null): Promise<void> {
    await this.db
      .updateTable('invitations')
      .set(error ? { last_error: error } : { sent_at: new Date(), last_error: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** Keeps the message (sent through SMTP when messageId is set, else only kept here). */
  async addToOutbox(
    tenantId: string,
    m: { to: string; subject: string; text: string; html: string },
    messageId: string | null,
  ): Promise<void> {
    await this.db
      .insertInto('mail_outbox')
      .values({
        tenant_id: tenantId,
        to_address: m.to,
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        sent_at: messageId ? new Date() : null,
        message_id: messageId,
      })
      .execute();
  }

  /** The newest messages of every organisation (the embedded demo's outbox page). */
  outbox(limit = 100): Promise<OutboxMessage[]> {
    return this.db.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
  }
}
