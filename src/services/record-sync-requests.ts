// Asks for re-reads of connected records (the RecordSyncQueue port): the links are that queue, and
// the workers' scheduler claims due re-reads from them. Requests made without a delay
// (notifications, connects) are gathered for a few milliseconds and stored with one statement, so
// that a burst of ORCID notifications costs one statement per few hundred. A re-read asked while
// one is due adds nothing; asked while one runs, exactly one more follows.
//
// Notifications and connects are due at once and ahead of reconciliation's reads (which are due
// spread over its interval): within a tenant, a re-read someone's change asked for comes first.
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { RecordSyncQueue } from './ports.js';

/** How long requests wait to be stored together. */
const BATCH_MS = 3;
const BATCH_MAX = 500;
/** Re-reads asked by a notification or a connect are dated this much ahead of now. */
const NOTIFIED_AHEAD_SECONDS = -3600;

type Request = { tenantId: string; linkId: string; reason: string; dueInSeconds: number };

export class RecordSyncRequests implements RecordSyncQueue {
  private batch = new Map<string, Request>();
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly links: Pick<OrcidLinkRepository, 'requestSync'>) {}

  async enqueueSync(tenantId: string, linkId: string, reason: string, delaySeconds?: number): Promise<void> {
    if (delaySeconds) {
      await this.links.requestSync([{ tenantId, linkId, reason, dueInSeconds: delaySeconds }]);
      return;
    }
    if (!this.batch.has(linkId))
      this.batch.set(linkId, { tenantId, linkId, reason, dueInSeconds: NOTIFIED_AHEAD_SECONDS });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.batch.size >= BATCH_MAX) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
    return done;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const requests = [...this.batch.values()];
    const settle = this.waiters;
    this.batch = new Map();
    this.waiters = [];
    this.links.requestSync(requests).then(
      () => {
        for (const w of settle) w.resolve();
      },
      (e) => {
        for (const w of settle) w.reject(e);
      },
    );
  }
}
