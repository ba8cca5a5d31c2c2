// An upload's checked rows on their way to being stated, and the set-based statements that state
// them: people, items and the upload's rows, a range of rows per statement, all inside the
// caller's transaction (an upload is stated whole or not at all). Every query is scoped by tenant.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/** One checked row of an upload, as staged. */
export interface StagedRow {
  row: number;
  localId: string;
  email?: string | undefined;
  givenNames?: string | undefined;
  familyName?: string | undefined;
  leftOn?: string | undefined;
  section: string;
  sourceKey: string;
  payload: Record<string, unknown>;
  contentHash: string;
  groupId?: string | undefined;
  desired: 'present' | 'absent';
  /** What the export writes back (the row as uploaded, normalised). */
  stored: Record<string, unknown>;
  /** Where a problem with the source key is reported. */
  keyColumn: string;
}

export interface KeyConflict {
  row: number;
  column: string;
  message: string;
}

export class UploadStagingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async clear(tenantId: string, uploadId: string): Promise<void> {
    await this.db
      .deleteFrom('upload_staging')
      .where('tenant_id', '=', tenantId)
      .where('upload_id', '=', uploadId)
      .execute();
  }

  /**
   * One statement per batch: the rows travel as one JSON document, which PostgreSQL's JSON parser
   * reads much faster than array literals of escaped JSON (and JSON.stringify writes natively).
   */
  async add(tenantId: string, uploadId: string, rows: StagedRow[]): Promise<void> {
    if (!rows.length) return;
    const doc = JSON.stringify(
      rows.map((r) => ({
        row_number: r.row,
        local_id: r.localId,
        email: r.email ?? null,
        given_names: r.givenNames ?? null,
        family_name: r.familyName ?? null,
        left_on: r.leftOn ?? null,
        section: r.section,
        source_key: r.sourceKey,
        payload: r.payload,
        content_hash: r.contentHash,
        group_id: r.groupId ?? null,
        desired: r.desired,
        stored: r.stored,
        key_column: r.keyColumn,
      })),
    );
    await sql`
      insert into upload_staging (upload_id, tenant_id, row_number, local_id, email, given_names,
        family_name, left_on, section, source_key, payload, content_hash, group_id, desired, stored, key_column)
      select ${uploadId}::uuid, ${tenantId}::uuid, r.*
      from json_to_recordset(${doc}::json) as r(row_number int, local_id text, email text,
        given_names text, family_name text, left_on text, section text, source_key text, payload jsonb,
        content_hash text, group_id text, desired text, stored jsonb, key_column text)
    `.execute(this.db);
  }

  /** Rows whose source key an earlier row of the file already has (the first `limit`, and how many). */
  async repeatedKeys(
    tenantId: string,
    uploadId: string,
    limit: number,
  ): Promise<{ count: number; problems: KeyConflict[] }> {
    const found = await sql<{ row_number: number; key_column: string; source_key: string; first: number }>`
      select row_number, key_column, source_key, first from (
        select row_number, key_column, source_key,
          min(row_number) over (partition by source_key) as first
        from upload_staging where tenant_id = ${tenantId} and upload_id = ${uploadId}
      ) s where row_number <> first order by row_number
    `.execute(this.db);
    return {
      count: found.rows.length,
      problems: found.rows.slice(0, limit).map((r) => ({
        row: r.row_number,
        column: r.key_column,
        message: `${r.source_key} is already on row ${r.first}.`,
      })),
    };
  }

  /**
   * Rows whose source key names an item of another person of the organisation. Each row looks its
   * key up (the lateral's limit keeps it a lookup): planned as a join, a people or items table
   * grown since its last statistics was taken for tiny and scanned the staging table once per item.
   */
  async keysOfOthers(tenantId: string, uploadId: string, limit: number): Promise<KeyConflict[]> {
    const found = await sql<{ row_number: number; key_column: string; source_key: string; owner: string }>`
      select s.row_number, s.key_column, s.source_key, o.owner
      from upload_staging s
      cross join lateral (
        select p.local_id as owner from items i
        join people p on p.tenant_id = ${tenantId} and p.id = i.person_id
        where i.tenant_id = ${tenantId} and i.source_key = s.source_key
        limit 1
      ) o
      where s.tenant_id = ${tenantId} and s.upload_id = ${uploadId} and o.owner <> s.local_id
      order by s.row_number limit ${limit}
    `.execute(this.db);
    return found.rows.map((r) => ({
      row: r.row_number,
      column: r.key_column,
      message: `${r.source_key} already belongs to another person (${r.owner}).`,
    }));
  }

  /**
   * Creates the people the file names and updates what it says of known ones (the last value a
   * row gives; what no row says is kept). People the file says nothing of are not touched.
   */
  async statePeople(tenantId: string, uploadId: string): Promise<void> {
    const last = (column: string, value: string) =>
      sql.raw(`(array_agg(${value} order by row_number desc) filter (where ${column} is not null))[1]`);
    await sql`
      insert into people as p (tenant_id, local_id, email, given_names, family_name)
      select ${tenantId}::uuid, local_id, ${last('email', 'lower(trim(email))')},
        ${last('given_names', 'trim(given_names)')}, ${last('family_name', 'trim(family_name)')}
      from upload_staging where tenant_id = ${tenantId} and upload_id = ${uploadId}
      group by local_id order by local_id
      on conflict on constraint people_tenant_local_id do update set
        email = coalesce(excluded.email, p.email),
        given_names = coalesce(excluded.given_names, p.given_names),
        family_name = coalesce(excluded.family_name, p.family_name),
        updated_at = now()
      where excluded.email is not null or excluded.given_names is not null or excluded.family_name is not null
    `.execute(this.db);
  }

  /**
   * The planner's statistics for the staging table, taken once the rows are in: without them it
   * takes a fresh range of thousands of rows for one row and joins row by row.
   */
  async analyze(): Promise<void> {
    await sql`analyze upload_staging`.execute(this.db);
  }

  /**
   * States the staged rows numbered from..to as items (statuses as ItemRepository.upsert sets
   * them, by lanyard_status_after_upsert) and as the upload's rows. An item of another person is
   * left alone: the answer counts only the rows stated, so the caller sees the shortfall. Also
   * answers the people whose items of the range wait for them to connect.
   */
  async stateItems(
    tenantId: string,
    uploadId: string,
    range: { from: number; to: number },
  ): Promise<{ staged: number; stated: number; pendingPeople: string[] }> {
    const next = sql.raw(`lanyard_status_after_upsert(i.status, i.content_hash, i.desired_state, i.put_code,
      i.written_hash, excluded.content_hash, excluded.desired_state, excluded.status = 'queued')`);
    const r = await sql<{ staged: number; stated: number; pending: string[] }>`
      with src as materialized (
        select s.row_number, s.source_key, s.section, s.payload, s.content_hash, s.group_id,
          s.desired, s.stored, p.id as person_id,
          exists (select 1 from orcid_links l where l.tenant_id = ${tenantId} and l.person_id = p.id
            and l.status = 'active') as connected
        from upload_staging s
        join people p on p.tenant_id = ${tenantId} and p.local_id = s.local_id
        where s.tenant_id = ${tenantId} and s.upload_id = ${uploadId}
          and s.row_number between ${range.from} and ${range.to}
      ), written as (
        insert into items as i (tenant_id, person_id, source_key, section, payload, content_hash,
          desired_state, group_id, status, updated_at)
        select ${tenantId}::uuid, person_id, source_key, section, payload, content_hash, desired, group_id,
          case when connected then 'queued' else 'pending' end, now()
        from src order by source_key
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
        insert into upload_rows (upload_id, row_number, item_id, row)
        select ${uploadId}::uuid, src.row_number, written.id, src.stored
        from written join src on src.source_key = written.source_key
        returning 1
      )
      select (select count(*) from src)::int as staged, (select count(*) from linked)::int as stated,
        coalesce((select array_agg(distinct person_id::text) from written where status = 'pending'),
          '{}'::text[]) as pending
    `.execute(this.db);
    const row = r.rows[0]!;
    return { staged: row.staged, stated: row.stated, pendingPeople: row.pending };
  }

  /** The highest row number staged (0 for none). */
  async lastRow(tenantId: string, uploadId: string): Promise<number> {
    const r = await this.db
      .selectFrom('upload_staging')
      .select(sql<number>`coalesce(max(row_number), 0)::int`.as('n'))
      .where('tenant_id', '=', tenantId)
      .where('upload_id', '=', uploadId)
      .executeTakeFirstOrThrow();
    return r.n;
  }

  /** People the file says have left, with the first date a row gives. */
  async leavers(tenantId: string, uploadId: string): Promise<Array<{ localId: string; leftOn: string }>> {
    const rows = await sql<{ local_id: string; left_on: string }>`
      select distinct on (local_id) local_id, left_on from upload_staging
      where tenant_id = ${tenantId} and upload_id = ${uploadId} and left_on is not null
      order by local_id, row_number
    `.execute(this.db);
    return rows.rows.map((r) => ({ localId: r.local_id, leftOn: r.left_on }));
  }
}
