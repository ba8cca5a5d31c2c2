// The ORCID call log as the console reads it: filtered pages, one call with its (already
// redacted) bodies, the filtered calls in batches for an export, and the links that share chosen
// calls with ORCID support. Every query is scoped by tenant.
import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { CallQuery, CallRow, CallWithBodies } from '../domain/call-log-query.js';
import { containing } from './like-pattern.js';
import type { Database } from './schema.js';

const COLUMNS = sql`c.id::text as id, c.created_at, c.created_at::text as at, c.orcid, c.method, c.url, c.status,
  c.error_code, c.error, c.duration_ms, c.attempt`;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface CallLogShare {
  id: string;
  call_ids: string[];
  note: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export class CallLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private conditions(tenantId: string, q: CallQuery): RawBuilder<unknown>[] {
    const where: RawBuilder<unknown>[] = [sql`c.tenant_id = ${tenantId}`];
    if (q.orcid) where.push(sql`c.orcid = ${q.orcid}`);
    if (q.orcids) where.push(q.orcids.length ? sql`c.orcid in (${sql.join(q.orcids)})` : sql`false`);
    if (q.method) where.push(sql`c.method = ${q.method}`);
    if (q.path) where.push(sql`c.url like ${containing(q.path)}`);
    const s = q.status;
    if (s === 'none') where.push(sql`c.status is null`);
    else if (typeof s === 'string') {
      const low = Number(s[0]) * 100;
      where.push(sql`c.status >= ${low} and c.status < ${low + 100}`);
    } else if (s !== undefined) where.push(sql`c.status = ${s}`);
    if (q.errorCode !== undefined) where.push(sql`c.error_code = ${q.errorCode}`);
    if (q.from) where.push(sql`c.created_at >= ${q.from}`);
    if (q.to) where.push(sql`c.created_at < ${q.to}`);
    if (q.after) where.push(sql`(c.created_at, c.id) < (${q.after.at}::timestamptz, ${q.after.id}::bigint)`);
    return where;
  }

  /** A page of calls, newest first; `next` when older ones match too. */
  async page(
    tenantId: string,
    q: CallQuery,
  ): Promise<{ rows: CallRow[]; next: { at: string; id: string } | null }> {
    const { rows } = await sql<CallRow>`
      select ${COLUMNS} from orcid_calls c
      where ${sql.join(this.conditions(tenantId, q), sql` and `)}
      order by c.created_at desc, c.id desc limit ${q.limit + 1}`.execute(this.db);
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { rows: page, next: more && last ? { at: last.at, id: last.id } : null };
  }

  /** Every call the query matches, newest first, `batch` at a time (an export never holds them all). */
  async *all(
    tenantId: string,
    q: Omit<CallQuery, 'limit' | 'after'>,
    batch = 1000,
  ): AsyncGenerator<CallWithBodies[]> {
    let after: CallQuery['after'];
    for (;;) {
      const { rows } = await sql<CallWithBodies>`
        select ${COLUMNS}, c.request_body, c.response_body from orcid_calls c
        where ${sql.join(this.conditions(tenantId, { ...q, after, limit: batch }), sql` and `)}
        order by c.created_at desc, c.id desc limit ${batch}`.execute(this.db);
      if (!rows.length) return;
      yield rows;
      const last = rows.at(-1)!;
      after = { at: last.at, id: last.id };
      if (rows.length < batch) return;
    }
  }

  /** The calls by id (those of the tenant only), with their bodies, newest first. */
  async withBodies(tenantId: string, ids: string[]): Promise<CallWithBodies[]> {
    if (!ids.length) return [];
    const { rows } = await sql<CallWithBodies>`
      select ${COLUMNS}, c.request_body, c.response_body from orcid_calls c
      where c.tenant_id = ${tenantId} and c.id = any(${ids}::bigint[])
      order by c.created_at desc, c.id desc`.execute(this.db);
    return rows;
  }

  /** The ids of the calls a query matches (the newest `limit`): what a share of the filter holds. */
  async ids(tenantId: string, q: Omit<CallQuery, 'after'>): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      select c.id::text as id from orcid_calls c where ${sql.join(this.conditions(tenantId, q), sql` and `)}
      order by c.created_at desc, c.id desc limit ${q.limit}`.execute(this.db);
    return rows.map((r) => r.id);
  }

  /** A new shared view of the calls; answers its token (shown once: only its hash is kept). */
  async share(
    tenantId: string,
    s: { callIds: string[]; note: string | null; createdBy: string; expiresAt: Date },
  ): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const row = await this.db
      .insertInto('call_log_shares')
      .values({
        tenant_id: tenantId,
        token_hash: tokenHash(token),
        call_ids: s.callIds,
        note: s.note,
        created_by: s.createdBy,
        expires_at: s.expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, token };
  }

  shares(tenantId: string): Promise<CallLogShare[]> {
    return this.db
      .selectFrom('call_log_shares')
      .select(['id', 'call_ids', 'note', 'created_by', 'created_at', 'expires_at', 'revoked_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(100)
      .execute();
  }

  /** Ends a share at once; false when the tenant has no such share (or it had ended). */
  async revokeShare(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('call_log_shares')
      .set({ revoked_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The live share a token opens (not expired, not revoked), with its organisation. */
  opened(token: string) {
    return this.db
      .selectFrom('call_log_shares')
      .select(['id', 'tenant_id', 'call_ids', 'note', 'created_at', 'expires_at'])
      .where('token_hash', '=', tokenHash(token))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
  }
}
