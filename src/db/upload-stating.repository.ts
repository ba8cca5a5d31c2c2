// The set-based statements that state an upload's checked rows, a range at a time: the people the
// range names and its items (statuses as ItemRepository.upsert sets them, by
// lanyard_status_after_upsert), inside the upload job's one transaction (an upload is stated whole
// or not at all), and its pages of rows, beside it on another connection (the other core). The
// rows travel as one JSON document per statement, which PostgreSQL reads much faster than array
// literals of escaped JSON. Every query is scoped by tenant.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** One checked row of an upload, ready to state. */
export interface CheckedUploadRow {
  row: number;
  localId: string;
  section: string;
  sourceKey: string;
  /** The payload as JSON text (canonicalContent), with its hash. */
  payloadJson: string;
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
 * A range of checked rows, as the two JSON documents that state it: its items (stateRange, in the
 * upload's transaction) and its pages of rows (insertPages, on a connection of their own). Each
 * row is serialised as it is added, so the row's objects are garbage at once rather than kept
 * (and promoted to the old generation) until the range is stated. Rows arrive in order; a range
 * holds whole pages but for its first and last.
 */
export class StatingRange {
  private readonly items: string[] = [];
  private readonly pages: string[] = [];
  private page: { first: number; numbers: number[]; keys: string[]; rows: string[] } | null = null;

  add(r: CheckedUploadRow): void {
    if (!this.items.length) this.firstRow = r.row;
    // Written out by hand: the payload is already JSON text, and an object per row would be
    // garbage the moment it is serialised.
    this.items.push(
      `{"row_number":${r.row},"local_id":${JSON.stringify(r.localId)},"section":${JSON.stringify(r.section)},` +
        `"source_key":${JSON.stringify(r.sourceKey)},"payload":${r.payloadJson},` +
        `"content_hash":${JSON.stringify(r.contentHash)},"group_id":${JSON.stringify(r.groupId ?? null)},` +
        `"desired":${JSON.stringify(r.desired)}}`,
    );
    if (this.page && Math.floor(this.page.first / PAGE_ROWS) !== Math.floor(r.row / PAGE_ROWS))
      this.endPage();
    this.page ??= { first: r.row, numbers: [], keys: [], rows: [] };
    this.page.numbers.push(r.row);
    this.page.keys.push(r.sourceKey);
    this.page.rows.push(JSON.stringify(r.stored));
  }

  private endPage(): void {
    if (!this.page) return;
    const { first, numbers, keys, rows } = this.page;
    this.pages.push(
      `{"first_row":${first},"row_numbers":${JSON.stringify(numbers)},"source_keys":${JSON.stringify(keys)},"rows":[${rows.join(',')}]}`,
    );
    this.page = null;
  }

  get size(): number {
    return this.items.length;
  }

  /** The number of the range's first row (0 while it has none). */
  firstRow = 0;

  itemsDocument(): string {
    return `[${this.items.join(',')}]`;
  }

  pagesDocument(): string {
    this.endPage();
    return `[${this.pages.join(',')}]`;
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
   * States a range of rows (their people stated first) as items. An item of another person is
   * left alone and its row is answered in `taken`, with the upload's first row of that key when an
   * earlier range has one (a repeated key); a key repeated inside the range is stated once
   * (repeatedKeys finds the rows). Answers the rows stated, the people whose items wait for them to
   * connect, and how many items the range queued for writing. The pages of earlier ranges must be
   * in (insertPages) for repeated keys to be named so.
   */
  async stateRange(
    tenantId: string,
    uploadId: string,
    range: StatingRange,
  ): Promise<{ stated: number; pendingPeople: string[]; queued: number; taken: TakenKey[] }> {
    if (!range.size) return { stated: 0, pendingPeople: [], queued: 0, taken: [] };
    const doc = range.itemsDocument();
    const next = sql.raw(`lanyard_status_after_upsert(i.status, i.content_hash, i.desired_state, i.put_code,
      i.written_hash, excluded.content_hash, excluded.desired_state, excluded.status = 'queued')`);
    // The planner takes the JSON rows for 100 and tables filled inside this transaction for
    // nearly empty; a nested loop joining the range's rows to the items it wrote then compares
    // every pair (25,000 x 25,000). The statement's joins are hash joins; its lookups (laterals,
    // subplans) stay lookups.
    await sql`set local enable_nestloop = off`.execute(this.db);
    const r = await sql<{ pending: string; queued: number; taken: TakenKey[] | null }>`
      with src as materialized (
        select d.*, p.id as person_id,
          exists (select 1 from orcid_links l where l.tenant_id = ${tenantId} and l.person_id = p.id
            and l.status = 'active') as connected
        from jsonb_to_recordset(${doc}::jsonb) as d(row_number int, local_id text, section text,
          source_key text, payload jsonb, content_hash text, group_id text, desired text)
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
          retries = case when ${next} = i.status then i.retries else 0 end,
          status_detail = case when ${next} = i.status then i.status_detail else null end,
          updated_at = now()
        where i.person_id = excluded.person_id
        returning i.source_key, i.person_id, i.status
      )
      -- One text rather than an array: thousands of ids per range parse much faster split than as an array literal.
      select coalesce((select string_agg(distinct person_id::text, ',') from written where status = 'pending'),
          '') as pending,
        (select count(*) from written where status = 'queued')::int as queued,
        (select json_agg(json_build_object('row', t.row_number, 'sourceKey', t.source_key, 'owner', o.local_id,
            'firstRow', (select min(e.n) from upload_row_pages pg
              cross join lateral unnest(pg.row_numbers, pg.source_keys) as e(n, source_key)
              where pg.tenant_id = ${tenantId} and pg.upload_id = ${uploadId} and pg.first_row < ${range.firstRow}
                and e.source_key = t.source_key))
            order by t.row_number)
          from (select src.row_number, src.source_key from src
                where not exists (select 1 from written w where w.source_key = src.source_key)) t
          left join lateral (select i.person_id from items i
            where i.tenant_id = ${tenantId} and i.source_key = t.source_key limit 1) i on true
          left join lateral (select o.local_id from people o
            where o.tenant_id = ${tenantId} and o.id = i.person_id limit 1) o on true) as taken
    `.execute(this.db);
    await sql`set local enable_nestloop = on`.execute(this.db);
    const row = r.rows[0]!;
    const taken = row.taken ?? [];
    const pendingPeople = row.pending ? row.pending.split(',') : [];
    return { stated: range.size - taken.length, pendingPeople, queued: row.queued, taken };
  }

  /**
   * Keeps a range's rows as uploaded, in pages, for the export and for finding the upload's items
   * again. Written beside the upload's transaction, not in it (the next range is stated
   * meanwhile); an upload that ends otherwise than accepted has them removed
   * (UploadRepository.dropPages).
   */
  async insertPages(tenantId: string, uploadId: string, range: StatingRange): Promise<void> {
    if (!range.size) return;
    await sql`
      insert into upload_row_pages (upload_id, tenant_id, first_row, row_numbers, source_keys, rows)
      select ${uploadId}::uuid, ${tenantId}::uuid, first_row, row_numbers, source_keys, rows
      from jsonb_to_recordset(${range.pagesDocument()}::jsonb)
        as d(first_row int, row_numbers int[], source_keys text[], rows jsonb)
    `.execute(this.db);
  }

  /**
   * Shows the items an upload has stated so far (not yet committed) to the planner: the table's
   * size is counted again, and the plans kept for statements that read it (the portal page's) are
   * made anew; a plan made while the organisation had few items would otherwise scan them all,
   * the upload's included. skip_locked: it never waits for an autovacuum of the table.
   */
  async refreshItemStatistics(): Promise<void> {
    await sql`analyze (skip_locked) items`.execute(this.db);
  }

  /** Rows whose source key an earlier row of the upload already names (the first `limit`, and how many). */
  async repeatedKeys(
    tenantId: string,
    uploadId: string,
    limit: number,
  ): Promise<{ count: number; rows: Array<{ row: number; sourceKey: string; first: number }> }> {
    const found = await sql<{ row_number: number; source_key: string; first: number; count: number }>`
      select row_number, source_key, first, count(*) over ()::int as count from (
        select e.row_number, e.source_key, min(e.row_number) over (partition by e.source_key) as first
        from upload_row_pages pg
        cross join lateral unnest(pg.row_numbers, pg.source_keys) as e(row_number, source_key)
        where pg.tenant_id = ${tenantId} and pg.upload_id = ${uploadId}
      ) l where row_number <> first
      order by row_number limit ${limit}
    `.execute(this.db);
    return {
      count: found.rows[0]?.count ?? 0,
      rows: found.rows.map((r) => ({ row: r.row_number, sourceKey: r.source_key, first: r.first })),
    };
  }
}
