// Permission requests sent to people's ORCID inboxes (migration 0027): who asked, which iD, the
// put code ORCID gave the notification, or why ORCID refused it.
import { type Kysely, type Selectable, sql } from 'kysely';
import { ITEM_LABEL_SQL } from './item-label.js';
import type { Database, OrcidInboxRequestsTable } from './schema.js';

export type OrcidInboxRequest = Selectable<OrcidInboxRequestsTable>;

/** An item a request names: its ORCID section and what the person would see as its name. */
export interface AskedItem {
  section: string;
  label: string;
}

export class OrcidInboxRequestRepository {
  constructor(private readonly db: Kysely<Database>) {}

  create(r: {
    tenantId: string;
    personId: string;
    orcid: string;
    actor: string;
  }): Promise<OrcidInboxRequest> {
    return this.db
      .insertInto('orcid_inbox_requests')
      .values({ tenant_id: r.tenantId, person_id: r.personId, orcid: r.orcid, actor: r.actor })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async sent(tenantId: string, id: string, putCode: number): Promise<void> {
    await this.db
      .updateTable('orcid_inbox_requests')
      .set({ put_code: putCode, sent_at: new Date(), last_error: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async failed(tenantId: string, id: string, error: string): Promise<void> {
    await this.db
      .updateTable('orcid_inbox_requests')
      .set({ last_error: error })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** The person's requests, newest first. */
  ofPerson(tenantId: string, personId: string): Promise<OrcidInboxRequest[]> {
    return this.db
      .selectFrom('orcid_inbox_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /**
   * The organisation's latest requests, each with the person's local id and whether they hold a
   * permission granted since (the request answered, from the inbox or otherwise).
   */
  recent(tenantId: string, limit: number) {
    return this.db
      .selectFrom('orcid_inbox_requests as r')
      .innerJoin('people as p', (j) =>
        j.onRef('p.id', '=', 'r.person_id').onRef('p.tenant_id', '=', 'r.tenant_id'),
      )
      .select([
        'r.id',
        'r.person_id',
        'p.local_id',
        'r.orcid',
        'r.put_code',
        'r.created_at',
        'r.sent_at',
        'r.last_error',
        sql<boolean>`exists (select 1 from orcid_links l where l.tenant_id = r.tenant_id and l.person_id = r.person_id
          and l.status = 'active' and l.granted_at >= r.created_at)`.as('connected'),
      ])
      .where('r.tenant_id', '=', tenantId)
      .orderBy('r.created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** What a request to the person can name: their items not withdrawn, oldest first. */
  async itemsToName(tenantId: string, personId: string, limit: number): Promise<AskedItem[]> {
    const { rows } = await sql<AskedItem>`
      select i.section, ${sql.raw(ITEM_LABEL_SQL)} as label
      from items i
      where i.tenant_id = ${tenantId} and i.person_id = ${personId} and i.desired_state = 'present'
      order by i.created_at limit ${limit}`.execute(this.db);
    return rows;
  }
}
