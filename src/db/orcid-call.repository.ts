// The ORCID call log: every attempt (already redacted by the transport) is a row of orcid_calls.
// Calls recorded while an insert is under way are written together by the next one (group
// commit): one statement per burst instead of one per call, no delay when calls are few, and
// every caller still waits until its row is stored.
import { type Insertable, type Kysely, sql } from 'kysely';
import type { CallRecord, CallRecorder } from '../orcid/transport.js';
import type { Database, OrcidCallsTable } from './schema.js';

const MAX_BATCH = 500;

export class OrcidCallRepository implements CallRecorder {
  private readonly pending: Array<{ row: Insertable<OrcidCallsTable>; done: (e?: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly db: Kysely<Database>) {}

  /** Deletes the calls older than the retention period; answers how many. */
  async purgeOlderThan(days: number): Promise<number> {
    const r = await this.db
      .deleteFrom('orcid_calls')
      .where('created_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
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
