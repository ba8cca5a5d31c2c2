// The ORCID call log: every attempt (already redacted by the transport) is a row of orcid_calls.
import type { Kysely } from 'kysely';
import type { CallRecord, CallRecorder } from '../orcid/transport.js';
import type { Database } from './schema.js';

export class OrcidCallRepository implements CallRecorder {
  constructor(private readonly db: Kysely<Database>) {}

  async record(c: CallRecord): Promise<void> {
    await this.db
      .insertInto('orcid_calls')
      .values({
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
      })
      .execute();
  }
}
