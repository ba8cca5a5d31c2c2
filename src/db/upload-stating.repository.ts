// The set-based statements that state an upload's checked rows, a range at a time, inside the
// upload job's one transaction (an upload is stated whole or not at all): the people the range
// names, its items (statuses as ItemRepository.upsert sets them, by lanyard_status_after_upsert)
// and its pages of rows. The rows travel as one JSON document per statement, which PostgreSQL
// reads much faster than array literals of escaped JSON. Every query is scoped by tenant.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** One checked row of an upload, ready to state. */
export interface CheckedUploadRow {
  row: number;
  localId: string;
  section: string;
  sourceKey: string;
  payload: Record<string, unknown>;
  contentHash: string;
  groupId?: string | undefined;
  desired: 'present' | 'absent';
  /** What the export writes back (the row as uploaded, normalised). */
  stored: Record<string, unknown>;
}

/** What a row says of its person (absent: says nothing, the person's value is kept). */
export interface UploadPerson {
  localId: string;
  email?: string | undefined;
  givenNames?: string | undefined;
  familyName?: string | undefined;
}

/** A row whose source key names an item of another person (or of an earlier row of the upload). */
export interface TakenKey {
  row: number;
  sourceKey: string;
  owner: string;
  /** The upload's first row naming that item, when an earlier range stated it. */
  firstRow: number | null;
}

/** Rows per page of upload_row_pages. */
export const PAGE_ROWS = 1000;

/**
 * A range of checked rows as the JSON document stateRange sends. Each row is serialised as it is
 * added, so the row's objects are garbage at once rather than kept (and promoted to the old
 * generation) until the range is stated.
 */
export class StatingRange {
  private readonly parts: string[] = [];

  add(r: CheckedUploadRow): void {
    this.parts.push(
      JSON.stringify({
        row_number: r.row,
        local_id: r.localId,
        section: r.section,
        source_key: r.sourceKey,
        payload: r.payload,
        content_hash: r.contentHash,
        group_id: r.groupId ?? null,
        desired: r.desired,
        stored: r.stored,
      }),
    );
  }

  get size(): number {
    return this.parts.length;
  }

  document(): string {
    return `[${this.parts.join(',')}]`;
  }
}

export class UploadStatingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** For the transaction: a range's rows (tens of MB with payloads) are sorted in memory. */
  async allowRangeSorts(): Promise<void> {
    await sql`set local work_mem = '64MB'`.execute(this.db);
  }

  /**
   * Creates the people a range names and updates what it says of known ones; what it does not say
   * is kept, and a person whose values are already those is not rewritten.
   */
  async statePeople(tenantId: string, people: UploadPerson[]): Promise<void> {
    if (!people.length) return;
    const doc = JSON.stringify(
      people.map((p) => ({
        local_id: p.localId,
        email: p.email ?? null,
        given_names: p.givenNames ?? null,
        family_name: p.familyName ?? null,
      })),
    );
    await sql`
      insert into people as p (tenant_id, local_id, email, given_names, family_name)
      select ${tenantId}::uuid, local_id, lower(trim(email)), trim(given_names), trim(family_name)
      from json_to_recordset(${doc}::json) as r(local_id text, email text, given_names text, family_name text)
      -- A person the range says nothing new of is left out: the upsert would lock (write) the row.
      where not exists (
        select 1 from people k where k.tenant_id = ${tenantId} and k.local_id = r.local_id
          and (r.email is null or k.email = lower(trim(r.email)))
          and (r.given_names is null or k.given_names = trim(r.given_names))
          and (r.family_name is null or k.family_name = trim(r.family_name)))
      order by local_id
      on conflict on constraint people_tenant_local_id do update set
        email = coalesce(excluded.email, p.email),
        given_names = coalesce(excluded.given_names, p.given_names),
        family_name = coalesce(excluded.family_name, p.family_name),
        updated_at = now()
      where (excluded.email is not null and excluded.email is distinct from p.email)
        or (excluded.given_names is not null and excluded.given_names is distinct from p.given_names)
        or (excluded.family_name is not null and excluded.family_name is distinct from p.family_name)
    `.execute(this.db);
  }

  /**
   * States a range of rows (their people stated first) as items and pages of the upload's rows.
   * An item of another person is left alone and its row is answered in `taken` (also when an
   * earlier range stated the key for another person: a repeated key); a key repeated
   * inside the range is stated once and both rows are linked to its item (repeatedKeys finds
   * them). Answers the rows stated, the people whose items wait for them to connect, and how many
   * items the range queued for writing.
   */
  async stateRange(
    tenantId: string,
    uploadId: string,
    range: StatingRange,
  ): Promise<{ stated: number; pendingPeople: string[]; queued: number; taken: TakenKey[] }> {
    if (!range.size) return { stated: 0, pendingPeople: [], queued: 0, taken: [] };
    const doc = range.document();
    const next = sql.raw(`lanyard_status_after_upsert(i.status, i.content_hash, i.desired_state, i.put_code,
      i.written_hash, excluded.content_hash, excluded.desired_state, excluded.status = 'queued')`);
    // The planner takes the JSON rows for 100 and tables filled inside this transaction for
    // nearly empty; a nested loop joining the range's rows to the items it wrote then compares
    // every pair (25,000 x 25,000). The statement's joins are hash joins; its lookups (laterals,
    // subplans) stay lookups.
    await sql`set local enable_nestloop = off`.execute(this.db);
    const r = await sql<{ stated: number; pending: string[]; queued: number; taken: TakenKey[] | null }>`
      with src as materialized (
        select d.*, p.id as person_id,
          exists (select 1 from orcid_links l where l.tenant_id = ${tenantId} and l.person_id = p.id
            and l.status = 'active') as connected
        from jsonb_to_recordset(${doc}::jsonb) as d(row_number int, local_id text, section text,
          source_key text, payload jsonb, content_hash text, group_id text, desired text, stored jsonb)
        join people p on p.tenant_id = ${tenantId} and p.local_id = d.local_id
      ), written as (
        insert into items as i (tenant_id, person_id, source_key, section, payload, content_hash,
          desired_state, group_id, status, updated_at)
        select distinct on (source_key) ${tenantId}::uuid, person_id, source_key, section, payload,
          content_hash, desired, group_id, case when connected then 'queued' else 'pending' end, now()
        from src order by source_key, row_number
        on conflict on constraint items_tenant_source_key do update set
          section = excluded.section, payload = excluded.payload, content_hash = excluded.content_hash,
          desired_state = excluded.desired_state, group_id = excluded.group_id,
          status = ${next},
          attempts = case when ${next} = i.status then i.attempts else 0 end,
          status_detail = case when ${next} = i.status then i.status_detail else null end,
          updated_at = now()
        where i.person_id = excluded.person_id
        returning i.id, i.source_key, i.person_id, i.status
      ), linked as (
        select src.row_number, written.id, src.stored
        from src join written on written.source_key = src.source_key
      ), paged as (
        insert into upload_row_pages (upload_id, tenant_id, first_row, row_numbers, item_ids, rows)
        select ${uploadId}::uuid, ${tenantId}::uuid, min(row_number), array_agg(row_number order by row_number),
          array_agg(id order by row_number), jsonb_agg(stored order by row_number)
        from linked group by row_number / ${PAGE_ROWS}
        returning 1
      )
      select (select count(*) from linked)::int as stated,
        coalesce((select array_agg(distinct person_id::text) from written where status = 'pending'),
          '{}'::text[]) as pending,
        (select count(*) from written where status = 'queued')::int as queued,
        (select json_agg(json_build_object('row', t.row_number, 'sourceKey', t.source_key, 'owner', o.local_id,
            'firstRow', (select min(e.n) from upload_row_pages pg
              cross join lateral unnest(pg.row_numbers, pg.item_ids) as e(n, item_id)
              where pg.tenant_id = ${tenantId} and pg.upload_id = ${uploadId} and e.item_id = i.id))
            order by t.row_number)
          from (select src.row_number, src.source_key from src
                where not exists (select 1 from written w where w.source_key = src.source_key)) t
          left join lateral (select i.id, i.person_id from items i
            where i.tenant_id = ${tenantId} and i.source_key = t.source_key limit 1) i on true
          left join lateral (select o.local_id from people o
            where o.tenant_id = ${tenantId} and o.id = i.person_id limit 1) o on true) as taken,
        (select count(*) from paged)::int as pages
    `.execute(this.db);
    await sql`set local enable_nestloop = on`.execute(this.db);
    const row = r.rows[0]!;
    return { stated: row.stated, pendingPeople: row.pending, queued: row.queued, taken: row.taken ?? [] };
  }

  /** Rows whose item an earlier row of the upload already names (the first `limit`, and how many). */
  async repeatedKeys(
    tenantId: string,
    uploadId: string,
    limit: number,
  ): Promise<{ count: number; rows: Array<{ row: number; sourceKey: string; first: number }> }> {
    const found = await sql<{ row_number: number; source_key: string; first: number; count: number }>`
      with linked as (
        select e.row_number, e.item_id
        from upload_row_pages pg cross join lateral unnest(pg.row_numbers, pg.item_ids) as e(row_number, item_id)
        where pg.tenant_id = ${tenantId} and pg.upload_id = ${uploadId}
      ), repeated as (
        select row_number, item_id, first from (
          select row_number, item_id, min(row_number) over (partition by item_id) as first from linked
        ) l where row_number <> first
      )
      select r.row_number, i.source_key, r.first, count(*) over ()::int as count
      from repeated r join items i on i.tenant_id = ${tenantId} and i.id = r.item_id
      order by r.row_number limit ${limit}
    `.execute(this.db);
    return {
      count: found.rows[0]?.count ?? 0,
      rows: found.rows.map((r) => ({ row: r.row_number, sourceKey: r.source_key, first: r.first })),
    };
  }
}
