// Delivers webhooks (SPEC 9): a record change makes its webhooks due; a periodic run POSTs an
// empty body to each due callback; failures retry after failures × delay, up to a maximum.
import type { SandboxContext } from './context.js';
import type { FaultRules } from './traffic.js';

const MAX_DELIVERIES_KEPT = 10000;

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ctx: SandboxContext,
    /** dropDelivery rules lose deliveries on the way. */
    private readonly faults: FaultRules | null = null,
  ) {
    ctx.store.onRecordChange((orcid) => {
      for (const w of ctx.store.webhooks.values()) {
        if (w.orcid === orcid && !w.due) {
          w.due = true;
          w.failedAttempts = 0;
          w.nextAttemptAt = 0;
        }
      }
      this.kick();
    });
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.ctx.options.webhookIntervalMs);
    this.timer.unref();
  }

  /** Starts a run soon (changes between runs collapse into one call). */
  private kick(): void {
    if (this.running) return;
    this.running = new Promise<void>((resolve) =>
      setTimeout(resolve, Math.min(50, this.ctx.options.webhookIntervalMs)),
    )
      .then(() => this.runOnce())
      .finally(() => {
        this.running = null;
      });
  }

  async runOnce(): Promise<void> {
    const { store, options } = this.ctx;
    const now = store.now();
    const due = [...store.webhooks.values()].filter((w) => w.due && w.nextAttemptAt <= now);
    await Promise.all(
      due.map(async (w) => {
        const attempt = w.failedAttempts + 1;
        let status: number | null = null;
        let error: string | null = null;
        if (this.faults?.dropsDelivery(w.uri)) {
          store.deliveries.push({
            orcid: w.orcid,
            uri: w.uri,
            at: now,
            attempt,
            status: null,
            ok: true,
            error: null,
            dropped: true,
          });
          w.due = false;
          w.failedAttempts = 0;
          return;
        }
        try {
          const res = await fetch(w.uri, {
            method: 'POST',
            body: '',
            signal: AbortSignal.timeout(options.webhookTimeoutMs),
            redirect: 'manual',
          });
          status = res.status;
          await res.arrayBuffer().catch(() => undefined);
        } catch (e) {
          error = (e as Error).message;
        }
        const ok = status !== null && status >= 200 && status < 300;
        store.deliveries.push({ orcid: w.orcid, uri: w.uri, at: store.now(), attempt, status, ok, error });
        // The log of deliveries is for inspection: keep the most recent ones.
        if (store.deliveries.length > MAX_DELIVERIES_KEPT)
          store.deliveries.splice(0, store.deliveries.length - MAX_DELIVERIES_KEPT);
        if (!store.webhooks.has(`${w.orcid} ${w.uri}`)) return;
        if (ok) {
          w.due = false;
          w.failedAttempts = 0;
        } else {
          w.failedAttempts = attempt;
          if (attempt >= options.webhookMaxAttempts) w.due = false;
          else w.nextAttemptAt = store.now() + attempt * options.webhookRetryDelayMs;
        }
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
