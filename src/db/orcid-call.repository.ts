// The ORCID call log: every attempt (already redacted by the transport) is a row of orcid_calls.
// Calls recorded while an insert is under way are written together by the next one (group
// commit): one statement per burst instead of one per call, no delay when calls are few, and
// every caller still waits until its row is stored.
import type { Insertable, Kysely } from 'kysely';
import type { CallRecord, CallRecorder } from '../orcid/transport.js';
import type { Database, OrcidCallsTable } from './schema.js';

const MAX_BATCH = 500;

export class OrcidCallRepository implements CallRecorder {
  private readonly pending: Array<{ row: Insertable<OrcidCallsTable>; done: (e?: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Deletes the calls older than the retention period, oldest first, `batchSize` per statement
   * (each its own short transaction: no long lock, and the calls being logged meanwhile are never
   * held up); answers how many, and in how many statements.
   */
  async purgeOlderThan(
    days: number,
    options: { batchSize?: number; onBatch?: (deleted: number) => void } = {},
  ): Promise<{ deleted: number; batches: number }> {
    const batchSize = options.batchSize ?? 10_000;
    const cutoff = new Date(Date.now() - days * 86_400_000);
    let deleted = 0;
    let batches = 0;
    for (;;) {
      const r = await this.db
        .deleteFrom('orcid_calls')
        .where(
          'id',
          'in',
          this.db
            .selectFrom('orcid_calls')
            .select('id')
            .where('created_at', '<', cutoff)
            .orderBy('created_at')
            .limit(batchSize),
        )
        .executeTakeFirst();
      const n = Number(r.numDeletedRows);
      if (n === 0) break;
      deleted += n;
      batches++;
      options.onBatch?.(deleted);
      if (n < batchSize) break;
    }
    return { deleted, batches };
  }

  record(c: CallRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({
        row: {
          tenant_id: c.tenantId,
          orcid: c.orcid,
          method: c.method,
          url: c.url,
          request_body: c.requestBody,
          status: c.status,
          response_body: c.responseBody,
          error_code: c.errorCode,
          error: c.error,
          duration_ms: c.durationMs,
          attempt: c.attempt,
        },
        done: (e) => (e === undefined ? resolve() : reject(e)),
      });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        await this.db
          .insertInto('orcid_calls')
          .values(batch.map((b) => b.row))
          .execute();
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.done(e);
      }
    }
    this.flushing = false;
  }
}
