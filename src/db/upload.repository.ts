// Bulk uploads and their rows. Every query is scoped by tenant; a row points at the item it
// stated, so progress and the export read the item's current status and put code.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { ItemStatus } from '../domain/item.js';
import type { Database, UploadProblemJson, UploadState, UploadsTable } from './schema.js';

export type Upload = Selectable<UploadsTable>;

export interface UploadProgress {
  /** Where the upload is: received, checking, stating, then accepted, refused or failed. */
  state: UploadState;
  rowsChecked: number;
  rowsStated: number;
  problemCount: number;
  /** Items of the upload (once accepted). */
  total: number;
  byStatus: Partial<Record<ItemStatus, number>>;
  /**
   * Nothing will change any more: refused or failed, or accepted and nothing waiting for a write
   * (pending items wait for their researcher).
   */
  settled: boolean;
}

export interface UploadRowState {
  row_number: number;
  row: Record<string, unknown>;
  put_code: string | null;
  status: ItemStatus;
  status_detail: string | null;
}

export class UploadRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new upload whose file is about to be stored (received: nothing checked yet). */
  receive(
    tenantId: string,
    u: { format: Upload['format']; filename: string; uploadedBy: string },
  ): Promise<Upload> {
    return this.db
      .insertInto('uploads')
      .values({ tenant_id: tenantId, format: u.format, filename: u.filename, uploaded_by: u.uploadedBy })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async addChunk(tenantId: string, uploadId: string, seq: number, bytes: Buffer): Promise<void> {
    await this.db
      .insertInto('upload_file_chunks')
      .values({ upload_id: uploadId, tenant_id: tenantId, seq, bytes })
      .execute();
  }

  /** The stored file, a piece at a time (a few megabytes in memory at most). */
  async *file(tenantId: string, uploadId: string): AsyncGenerator<Buffer> {
    let seq = -1;
    for (;;) {
      const chunks = await this.db
        .selectFrom('upload_file_chunks')
        .select(['seq', 'bytes'])
        .where('tenant_id', '=', tenantId)
        .where('upload_id', '=', uploadId)
        .where('seq', '>', seq)
        .orderBy('seq')
        .limit(4)
        .execute();
      for (const c of chunks) yield c.bytes;
      if (chunks.length < 4) return;
      seq = chunks[chunks.length - 1]!.seq;
    }
  }

  async update(
    tenantId: string,
    uploadId: string,
    set: Partial<{
      state: UploadState;
      file_bytes: number;
      rows_checked: number;
      rows_stated: number;
      row_count: number;
      problem_count: number;
      problems: UploadProblemJson[];
      finished_at: Date;
    }>,
  ): Promise<void> {
    const { problems, ...rest } = set;
    await this.db
      .updateTable('uploads')
      .set({ ...rest, ...(problems ? { problems: JSON.stringify(problems) } : {}) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', uploadId)
      .execute();
  }

  /** An upload that was never complete (its file passed the limit, or the request broke off). */
  async remove(tenantId: string, uploadId: string): Promise<void> {
    await this.db
      .deleteFrom('uploads')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', uploadId)
      .execute();
  }

  /** The file and the staged rows are scratch: gone once the upload is accepted or refused. */
  async dropScratch(tenantId: string, uploadId: string): Promise<void> {
    await this.db
      .deleteFrom('upload_file_chunks')
      .where('tenant_id', '=', tenantId)
      .where('upload_id', '=', uploadId)
      .execute();
    await this.db
      .deleteFrom('upload_staging')
      .where('tenant_id', '=', tenantId)
      .where('upload_id', '=', uploadId)
      .execute();
  }

  /** The upload's items that wait for a write, a page at a time (after row `after`). */
  /**
   * The queued items among the upload's rows after row `after`, `limit` rows at a time (the page
   * may hold none); `next` is where the next page starts, -1 after the last. Paged by rows first,
   * so the plan never depends on how many items of the organisation are queued.
   */
  async queuedItems(
    tenantId: string,
    uploadId: string,
    after: number,
    limit: number,
  ): Promise<{ itemIds: string[]; next: number }> {
    const r = await sql<{ item_ids: string[]; last: number | null; n: number }>`
      select coalesce(array_agg(r.item_id::text) filter (where i.status = 'queued'), '{}'::text[]) as item_ids,
        max(r.row_number) as last, count(*)::int as n
      from (select row_number, item_id from upload_rows
            where upload_id = ${uploadId} and row_number > ${after} order by row_number limit ${limit}) r
      left join items i on i.tenant_id = ${tenantId} and i.id = r.item_id
    `.execute(this.db);
    const row = r.rows[0]!;
    return { itemIds: row.item_ids, next: row.n < limit || row.last === null ? -1 : row.last };
  }

  byId(tenantId: string, id: string): Promise<Upload | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(undefined);
    return this.db
      .selectFrom('uploads')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  list(tenantId: string, limit = 50): Promise<Upload[]> {
    return this.db
      .selectFrom('uploads')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  async progress(tenantId: string, upload: Upload): Promise<UploadProgress> {
    const uploadId = upload.id;
    const counts = await this.db
      .selectFrom('upload_rows as r')
      .innerJoin('items as i', 'i.id', 'r.item_id')
      .select(['i.status', sql<number>`count(*)::int`.as('n')])
      .where('i.tenant_id', '=', tenantId)
      .where('r.upload_id', '=', uploadId)
      .groupBy('i.status')
      .execute();
    const byStatus = Object.fromEntries(counts.map((c) => [c.status, c.n])) as UploadProgress['byStatus'];
    const finished = upload.state === 'refused' || upload.state === 'failed';
    return {
      state: upload.state,
      rowsChecked: upload.rows_checked,
      rowsStated: upload.rows_stated,
      problemCount: upload.problem_count,
      total: counts.reduce((n, c) => n + c.n, 0),
      byStatus,
      settled: finished || (upload.state === 'accepted' && !byStatus.queued && !byStatus.retrying),
    };
  }

  rows(tenantId: string, uploadId: string): Promise<UploadRowState[]> {
    return this.db
      .selectFrom('upload_rows as r')
      .innerJoin('items as i', 'i.id', 'r.item_id')
      .select([
        'r.row_number',
        'r.row',
        sql<string | null>`i.put_code::text`.as('put_code'),
        'i.status',
        'i.status_detail',
      ])
      .where('i.tenant_id', '=', tenantId)
      .where('r.upload_id', '=', uploadId)
      .orderBy('r.row_number')
      .execute() as Promise<UploadRowState[]>;
  }
}
