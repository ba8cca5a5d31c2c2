// The console's view of an organisation's people: a searchable, filtered list paged by key (a
// page reads its own rows however deep it is; migration 0022's indexes), and everything the
// organisation holds about one person for their page. Never a token. Every query is scoped by
// tenant.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import {
  ATTENTION_STATUSES,
  orcidIdIn,
  type PeoplePage,
  type PeopleQuery,
  type PeopleSort,
  type PersonListRow,
} from '../domain/people-query.js';
import { containing } from './like-pattern.js';
import type { Database } from './schema.js';

const SORT_KEYS: Record<PeopleSort, { expr: RawBuilder<unknown>; cast: RawBuilder<unknown> }> = {
  name: { expr: sql`lanyard_person_sort_name(p.given_names, p.family_name)`, cast: sql`text` },
  local_id: { expr: sql`p.local_id`, cast: sql`text` },
  added: { expr: sql`p.created_at`, cast: sql`timestamptz` },
};

export class PeopleDirectoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async page(tenantId: string, q: PeopleQuery): Promise<PeoplePage> {
    const sort = SORT_KEYS[q.sort];
    const conditions: RawBuilder<unknown>[] = [sql`p.tenant_id = ${tenantId}`];
    const text = q.text?.trim();
    if (text) {
      const id = orcidIdIn(text);
      conditions.push(
        id
          ? sql`exists (select 1 from orcid_links l where l.tenant_id = p.tenant_id and l.person_id = p.id and l.orcid = ${id})`
          : sql`lanyard_person_search_text(p.given_names, p.family_name, p.local_id, p.email) like ${containing(text.toLowerCase())}`,
      );
    }
    if (q.link === 'never')
      conditions.push(
        sql`not exists (select 1 from orcid_links l where l.tenant_id = p.tenant_id and l.person_id = p.id)`,
      );
    else if (q.link === 'active')
      conditions.push(
        sql`exists (select 1 from orcid_links l where l.tenant_id = p.tenant_id and l.person_id = p.id and l.status = 'active')`,
      );
    else if (q.link)
      // The person's link is in that state and they have not connected again since.
      conditions.push(
        sql`exists (select 1 from orcid_links l where l.tenant_id = p.tenant_id and l.person_id = p.id and l.status = ${q.link})
          and not exists (select 1 from orcid_links l where l.tenant_id = p.tenant_id and l.person_id = p.id and l.status = 'active')`,
      );
    if (q.item)
      conditions.push(
        sql`exists (select 1 from items i where i.tenant_id = p.tenant_id and i.person_id = p.id and i.status = ${q.item})`,
      );
    if (q.invited !== undefined)
      conditions.push(
        sql`${sql.raw(q.invited ? '' : 'not ')}exists (select 1 from invitations v where v.tenant_id = p.tenant_id and v.person_id = p.id)`,
      );
    // Going back reads the rows before the page in reverse, then turns them round.
    const back = q.before !== undefined;
    const ascending = q.descending === back;
    const from = q.before ?? q.after;
    if (from)
      conditions.push(
        sql`(${sort.expr}, p.id) ${sql.raw(ascending ? '>' : '<')} (cast(${from.key} as ${sort.cast}), ${from.id}::uuid)`,
      );
    const direction = sql.raw(ascending ? 'asc' : 'desc');
    const { rows } = await sql<PersonListRow>`
      select p.id, p.local_id, p.given_names, p.family_name, p.email, p.created_at,
        ${sort.expr}::text as sort_key, l.orcid, l.status as link_status,
        (select count(*) from items i where i.tenant_id = p.tenant_id and i.person_id = p.id)::int as items,
        (select count(*) from items i where i.tenant_id = p.tenant_id and i.person_id = p.id
          and i.status in (${sql.join(ATTENTION_STATUSES)}))::int as needs_attention,
        exists (select 1 from invitations v where v.tenant_id = p.tenant_id and v.person_id = p.id) as invited
      from people p
      left join lateral (select l.orcid, l.status from orcid_links l
        where l.tenant_id = p.tenant_id and l.person_id = p.id
        order by l.status = 'active' desc, l.granted_at desc limit 1) l on true
      where ${sql.join(conditions, sql` and `)}
      order by ${sort.expr} ${direction}, p.id ${direction}
      limit ${q.limit + 1}
    `.execute(this.db);
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    if (back) page.reverse();
    const keyOf = (r: PersonListRow | undefined) => (r ? { key: r.sort_key, id: r.id } : null);
    return {
      rows: page,
      previous: back ? (more ? keyOf(page[0]) : null) : from ? keyOf(page[0]) : null,
      next: back ? keyOf(page.at(-1)) : more ? keyOf(page.at(-1)) : null,
    };
  }

  /** How many people the organisation has. */
  async count(tenantId: string): Promise<number> {
    const r = await this.db
      .selectFrom('people')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  person(tenantId: string, personId: string) {
    return this.db
      .selectFrom('people')
      .select([
        'id',
        'local_id',
        'given_names',
        'family_name',
        'email',
        'employment_status',
        'employment_start',
        'employment_end',
        'created_at',
        'updated_at',
      ])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', personId)
      .executeTakeFirst();
  }

  /** Every link the person had, newest first: what was granted and its state, never a token. */
  links(tenantId: string, personId: string) {
    return this.db
      .selectFrom('orcid_links')
      .select([
        'id',
        'orcid',
        'name',
        'status',
        'scope',
        'granted_at',
        'expires_at',
        'revoked_at',
        'revoked_by',
        'revoked_at_orcid',
        'synced_at',
        'sync_error',
        'record_state',
        'primary_orcid',
      ])
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .orderBy('granted_at', 'desc')
      .execute();
  }

  items(tenantId: string, personId: string) {
    return this.db
      .selectFrom('items')
      .select([
        'id',
        'section',
        'source_key',
        'status',
        'status_detail',
        'put_code',
        'group_id',
        'desired_state',
        'attempts',
        'updated_at',
        'written_at',
      ])
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .orderBy('section')
      .orderBy('source_key')
      .execute();
  }

  /** The history of the person's items, newest first (at most `limit` entries). */
  itemEvents(tenantId: string, personId: string, limit: number) {
    return this.db
      .selectFrom('item_events as e')
      .innerJoin('items as i', (j) =>
        j.onRef('i.id', '=', 'e.item_id').onRef('i.tenant_id', '=', 'e.tenant_id'),
      )
      .select([
        'e.item_id',
        'i.source_key',
        'e.action',
        'e.status',
        'e.put_code',
        'e.http_status',
        'e.error_code',
        'e.message',
        'e.created_at',
      ])
      .where('e.tenant_id', '=', tenantId)
      .where('i.person_id', '=', personId)
      .orderBy('e.id', 'desc')
      .limit(limit)
      .execute();
  }

  invitations(tenantId: string, personId: string) {
    return this.db
      .selectFrom('invitations')
      .select(['id', 'kind', 'email', 'created_at', 'sent_at', 'last_error'])
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** Every iD the person with this local id connected (none: no such person, or never connected). */
  async orcidsOf(tenantId: string, localId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('orcid_links as l')
      .innerJoin('people as p', (j) =>
        j.onRef('p.id', '=', 'l.person_id').onRef('p.tenant_id', '=', 'l.tenant_id'),
      )
      .select('l.orcid')
      .distinct()
      .where('l.tenant_id', '=', tenantId)
      .where('p.local_id', '=', localId)
      .execute();
    return rows.map((r) => r.orcid);
  }

  /** The newest ORCID calls made for the person's iDs (bodies are read in the call log). */
  calls(tenantId: string, orcids: string[], limit: number) {
    if (!orcids.length) return Promise.resolve([]);
    return this.db
      .selectFrom('orcid_calls')
      .select(['id', 'method', 'url', 'status', 'error_code', 'error', 'duration_ms', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('orcid', 'in', orcids)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }
}
