// The organisation's ORCID call log in the console: filtered pages, one call's request and
// answer, exports of the filtered calls (streamed, CSV or JSON), and shared read-only views of
// chosen calls for ORCID support, which expire and can be revoked. Bodies are shown as stored:
// the transport redacted every secret before the call was written, and nothing here can reveal
// more. Exports and shares are audited.
import type { CallLogRepository } from '../db/call-log.repository.js';
import type { PeopleDirectoryRepository } from '../db/people-directory.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { CallQuery, CallWithBodies } from '../domain/call-log-query.js';
import { type ExportFormat, exportText } from './exports.js';

/** The most calls one shared link holds. */
export const SHARE_MAX_CALLS = 500;
export const SHARE_DAYS = [1, 7, 30] as const;

export type CallFilter = Omit<CallQuery, 'limit' | 'after' | 'orcids'> & { localId?: string | undefined };

const EXPORT_COLUMNS = [
  'id',
  'created_at',
  'orcid',
  'method',
  'url',
  'status',
  'error_code',
  'error',
  'duration_ms',
  'attempt',
  'request_body',
  'response_body',
] as const;

export class CallLogService {
  constructor(
    private readonly d: {
      calls: CallLogRepository;
      people: PeopleDirectoryRepository;
      log: PortalLogRepository;
    },
  ) {}

  /** The filter as the repository takes it: a person's local id becomes their iDs. */
  private async query(tenantId: string, f: CallFilter): Promise<Omit<CallQuery, 'limit' | 'after'>> {
    const { localId, ...rest } = f;
    return localId ? { ...rest, orcids: await this.d.people.orcidsOf(tenantId, localId) } : rest;
  }

  async page(tenantId: string, f: CallFilter, after: CallQuery['after'], limit: number) {
    return this.d.calls.page(tenantId, { ...(await this.query(tenantId, f)), after, limit });
  }

  async call(tenantId: string, id: string): Promise<CallWithBodies | undefined> {
    return (await this.d.calls.withBodies(tenantId, [id]))[0];
  }

  /** The filtered calls as CSV or JSON text, a batch at a time; the export is audited first. */
  async *export(
    tenantId: string,
    f: CallFilter,
    format: ExportFormat,
    actor: string,
  ): AsyncGenerator<string> {
    await this.d.log.audit({
      tenantId,
      actor,
      action: 'calls.exported',
      subject: null,
      details: { format, filter: f },
    });
    yield* exportText(
      this.d.calls.all(tenantId, await this.query(tenantId, f)),
      EXPORT_COLUMNS,
      (r, c) => (c === 'id' ? Number(r.id) : r[c as (typeof EXPORT_COLUMNS)[number]]),
      format,
    );
  }

  /**
   * A link to a read-only view of the chosen calls (of this organisation), or of the newest
   * calls the filter matches when none are chosen; at most SHARE_MAX_CALLS. Answers the token.
   */
  async share(
    tenantId: string,
    s: { chosen: string[]; filter: CallFilter; days: number; note: string | null; actor: string },
  ): Promise<{ token: string; calls: number; expiresAt: Date } | null> {
    const ids = s.chosen.length
      ? (await this.d.calls.withBodies(tenantId, s.chosen.slice(0, SHARE_MAX_CALLS))).map((c) => c.id)
      : await this.d.calls.ids(tenantId, {
          ...(await this.query(tenantId, s.filter)),
          limit: SHARE_MAX_CALLS,
        });
    if (!ids.length) return null;
    const expiresAt = new Date(Date.now() + s.days * 86_400_000);
    const { id, token } = await this.d.calls.share(tenantId, {
      callIds: ids,
      note: s.note,
      createdBy: s.actor,
      expiresAt,
    });
    await this.d.log.audit({
      tenantId,
      actor: s.actor,
      action: 'calls.shared',
      subject: id,
      details: { calls: ids.length, expiresAt: expiresAt.toISOString() },
    });
    return { token, calls: ids.length, expiresAt };
  }

  shares(tenantId: string) {
    return this.d.calls.shares(tenantId);
  }

  async revokeShare(tenantId: string, id: string, actor: string): Promise<boolean> {
    const revoked = await this.d.calls.revokeShare(tenantId, id);
    if (revoked) await this.d.log.audit({ tenantId, actor, action: 'calls.share_revoked', subject: id });
    return revoked;
  }

  /** What a shared link shows, while it is live: its calls with their bodies. */
  async opened(token: string) {
    const share = await this.d.calls.opened(token);
    if (!share) return null;
    return { ...share, calls: await this.d.calls.withBodies(share.tenant_id, share.call_ids) };
  }
}
