// Invitations to connect and the mail outbox. Every query is scoped by tenant, except the
// outbox listing of the embedded demo, which shows every organisation's mail on one machine.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { InvitationState } from '../domain/invitation-state.js';
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
  /** Reminders sent before this send (a reminder when above 0 and the invitation was sent before). */
  reminders_sent: number;
}

export interface InvitationListRow {
  id: string;
  person_id: string;
  local_id: string;
  given_names: string | null;
  family_name: string | null;
  email: string;
  kind: string;
  created_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  reminders_sent: number;
  state: InvitationState;
  at: string;
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
        'v.reminders_sent',
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

  /**
   * The invitations of the organisation, newest first, with their state: connected (the person
   * connected since), failed (the mail could not be sent), waiting (not sent yet), expired (every
   * reminder went and the last is older than the interval) or sent.
   */
  async page(
    tenantId: string,
    f: {
      state?: InvitationState | undefined;
      policy: { reminders: number; everyDays: number };
      after?: { at: string; id: string } | undefined;
      limit: number;
    },
  ): Promise<{ rows: InvitationListRow[]; next: { at: string; id: string } | null }> {
    const { rows } = await sql<InvitationListRow>`
      select * from (
        select v.id, v.person_id, p.local_id, p.given_names, p.family_name, v.email, v.kind, v.created_at,
          v.sent_at, v.last_error, v.reminders_sent, v.created_at::text as at,
          case
            when exists (select 1 from orcid_links l where l.tenant_id = v.tenant_id and l.person_id = v.person_id
              and l.granted_at >= v.created_at) then 'connected'
            when v.sent_at is null and v.last_error is not null then 'failed'
            when v.sent_at is null then 'waiting'
            when v.reminders_sent >= ${f.policy.reminders}
              and v.sent_at < now() - make_interval(days => ${f.policy.everyDays}) then 'expired'
            else 'sent' end as state
        from invitations v join people p on p.tenant_id = v.tenant_id and p.id = v.person_id
        where v.tenant_id = ${tenantId}
          ${f.after ? sql`and (v.created_at, v.id) < (${f.after.at}::timestamptz, ${f.after.id}::uuid)` : sql``}
      ) x ${f.state ? sql`where x.state = ${f.state}` : sql``}
      order by x.created_at desc, x.id desc limit ${f.limit + 1}`.execute(this.db);
    const page = rows.slice(0, f.limit);
    const last = page.at(-1);
    return { rows: page, next: rows.length > f.limit && last ? { at: last.at, id: last.id } : null };
  }

  /**
   * Invitations to connect whose next reminder is due under their organisation's policy (sent,
   * the person not connected since, fewer reminders than the policy, the last send older than its
   * interval): each is counted and made ready to send again; answers them for the mail queue.
   */
  async takeDueReminders(limit: number): Promise<Array<{ tenant_id: string; id: string }>> {
    const { rows } = await sql<{ tenant_id: string; id: string }>`
      with due as (
        select v.id from invitations v join tenants t on t.id = v.tenant_id
        where v.kind = 'connect' and v.sent_at is not null and t.suspended_at is null
          and v.reminders_sent < coalesce((t.invitation_settings->>'reminders')::int, 2)
          and v.sent_at < now() - make_interval(days => coalesce((t.invitation_settings->>'everyDays')::int, 14))
          and not exists (select 1 from orcid_links l where l.tenant_id = v.tenant_id and l.person_id = v.person_id
            and l.granted_at >= v.created_at)
        order by v.sent_at limit ${limit}
        for update of v skip locked
      )
      update invitations v set reminders_sent = v.reminders_sent + 1, sent_at = null, last_error = null
      from due where v.id = due.id
      returning v.tenant_id, v.id`.execute(this.db);
    return rows;
  }
}
