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
        .limit(1)
        .execute();
      for (const c of chunks) yield c.bytes;
      if (chunks.length < 1) return;
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

  /** The file is scratch: gone once the upload is accepted, refused or failed. */
  async dropFile(tenantId: string, uploadId: string): Promise<void> {
    await this.db
      .deleteFrom('upload_file_chunks')
      .where('tenant_id', '=', tenantId)
      .where('upload_id', '=', uploadId)
      .execute();
  }

  /**
   * The pages of an upload's rows, written beside its stating transaction: removed when it ends
   * refused or failed, or when its stating starts over.
   */
  async dropPages(tenantId: string, uploadId: string): Promise<void> {
    await this.db
      .deleteFrom('upload_row_pages')
      .where('tenant_id', '=', tenantId)
      .where('upload_id', '=', uploadId)
      .execute();
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

  /**
   * The organisation's uploads, newest first, narrowed by state, a part of the file name and who
   * uploaded; `next` continues after the last one shown (by time and id).
   */
  async list(
    tenantId: string,
    f: {
      state?: UploadState | undefined;
      name?: string | undefined;
      by?: string | undefined;
      after?: { at: string; id: string } | undefined;
      limit: number;
    },
  ): Promise<{ rows: Upload[]; next: { at: string; id: string } | null }> {
    let q = this.db
      .selectFrom('uploads')
      .selectAll()
      .select(sql<string>`created_at::text`.as('at'))
      .where('tenant_id', '=', tenantId);
    if (f.state) q = q.where('state', '=', f.state);
    if (f.name) q = q.where(sql<boolean>`position(lower(${f.name}) in lower(filename)) > 0`);
    if (f.by) q = q.where('uploaded_by', '=', f.by);
    if (f.after)
      q = q.where(sql<boolean>`(created_at, id) < (${f.after.at}::timestamptz, ${f.after.id}::uuid)`);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    const page = rows.slice(0, f.limit);
    const last = page.at(-1);
    return {
      rows: page.map(({ at: _at, ...u }) => u as Upload),
      next: rows.length > f.limit && last ? { at: last.at, id: last.id } : null,
    };
  }

  async progress(tenantId: string, upload: Upload): Promise<UploadProgress> {
    const uploadId = upload.id;
    // Until the upload is accepted its pages name items that are not (yet) its own.
    const counts =
      upload.state !== 'accepted'
        ? []
        : await sql<{ status: string; n: number }>`
      select i.status, count(*)::int as n
      from upload_row_pages pg cross join lateral unnest(pg.source_keys) as e(source_key)
      join items i on i.tenant_id = ${tenantId} and i.source_key = e.source_key
      where pg.tenant_id = ${tenantId} and pg.upload_id = ${uploadId}
      group by i.status
    `
            .execute(this.db)
            .then((r) => r.rows);
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

  /** The upload's rows in order, each with its item's put code and status. */
  async rows(tenantId: string, uploadId: string): Promise<UploadRowState[]> {
    const r = await sql<UploadRowState>`
      select e.row_number, e.row, i.put_code::text as put_code, i.status, i.status_detail
      from upload_row_pages pg
      cross join lateral rows from (unnest(pg.row_numbers, pg.source_keys), jsonb_array_elements(pg.rows))
        as e(row_number, source_key, row)
      join items i on i.tenant_id = ${tenantId} and i.source_key = e.source_key
      where pg.tenant_id = ${tenantId} and pg.upload_id = ${uploadId}
      order by e.row_number
    `.execute(this.db);
    return r.rows;
  }
}
