// What was last read of a person's ORCID record, per tenant.
import type { Kysely } from 'kysely';
import { type RecordSummary, summarizeRecord } from '../domain/record-summary.js';
import type { Database } from './schema.js';

export class SnapshotRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a whole record as read, with its summary; returns the summary. */
  async saveRecord(
    tenantId: string,
    personId: string,
    orcid: string,
    record: unknown,
  ): Promise<RecordSummary> {
    const summary = summarizeRecord(record);
    await this.db
      .insertInto('record_snapshots')
      .values({
        tenant_id: tenantId,
        person_id: personId,
        orcid,
        kind: 'record',
        document: JSON.stringify(record),
        summary: JSON.stringify(summary),
      })
      .execute();
    return summary;
  }
}
