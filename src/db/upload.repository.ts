// Bulk uploads and their rows. Every query is scoped by tenant; a row points at the item it
// stated, so progress and the export read the item's current status and put code.
import { type Kysely, type Selectable, sql } from 'kysely';
import type { ItemStatus } from '../domain/item.js';
import type { Database, UploadsTable } from './schema.js';

export type Upload = Selectable<UploadsTable>;

export interface UploadProgress {
  total: number;
  byStatus: Partial<Record<ItemStatus, number>>;
  /** Nothing is waiting for a write any more (pending items wait for their researcher). */
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

  async create(
    tenantId: string,
    u: { format: Upload['format']; filename: string; uploadedBy: string },
    rows: Array<{ rowNumber: number; itemId: string; row: Record<string, unknown> }>,
  ): Promise<Upload> {
    const upload = await this.db
      .insertInto('uploads')
      .values({
        tenant_id: tenantId,
        format: u.format,
        filename: u.filename,
        uploaded_by: u.uploadedBy,
        row_count: rows.length,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    for (let i = 0; i < rows.length; i += 1000)
      await this.db
        .insertInto('upload_rows')
        .values(
          rows.slice(i, i + 1000).map((r) => ({
            upload_id: upload.id,
            row_number: r.rowNumber,
            item_id: r.itemId,
            row: JSON.stringify(r.row),
          })),
        )
        .execute();
    return upload;
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

  async progress(tenantId: string, uploadId: string): Promise<UploadProgress> {
    const counts = await this.db
      .selectFrom('upload_rows as r')
      .innerJoin('items as i', 'i.id', 'r.item_id')
      .select(['i.status', sql<number>`count(*)::int`.as('n')])
      .where('i.tenant_id', '=', tenantId)
      .where('r.upload_id', '=', uploadId)
      .groupBy('i.status')
      .execute();
    const byStatus = Object.fromEntries(counts.map((c) => [c.status, c.n])) as UploadProgress['byStatus'];
    return {
      total: counts.reduce((n, c) => n + c.n, 0),
      byStatus,
      settled: !byStatus.queued && !byStatus.retrying,
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
