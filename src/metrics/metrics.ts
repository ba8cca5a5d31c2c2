// What a process tells Prometheus (docs/deployment.md): the only module that imports prom-client.
// Two kinds of series:
// - this process's counters: ORCID calls by tenant and status, retries and 503s, the time calls
//   waited at the rate limiter, ORCID webhook notifications received, and Node's own figures;
// - the installation's figures, read from the database when scraped (at most every
//   `figuresTtlMs`), the same from every process (aggregate them with max): work waiting per kind
//   and tenant and the age of the oldest, items by status, links by status, and how stale the
//   collected records are.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CallRecord, CallRecorder } from '../orcid/transport.js';

/** The installation's figures, as the database holds them. */
export interface InstallationFigures {
  /** Work waiting: ORCID writes and re-reads (the scheduler's), and the jobs of the job queue. */
  waiting(): Promise<Array<{ kind: string; tenant: string; waiting: number; oldestSeconds: number }>>;
  items(): Promise<Array<{ tenant: string; status: string; count: number }>>;
  links(): Promise<Array<{ tenant: string; status: string; count: number }>>;
  /** Per tenant: seconds since the least recently read active link was read (never read: since granted). */
  syncLag(): Promise<Array<{ tenant: string; seconds: number }>>;
}

export class Metrics implements CallRecorder {
  readonly registry = new Registry();
  private readonly calls: Counter<'tenant' | 'status'>;
  private readonly retries: Counter<'tenant'>;
  private readonly unavailable: Counter<'tenant'>;
  private readonly limiterWait: Histogram;
  private readonly webhooks: Counter<'outcome'>;
  private figuresAt = 0;
  private figures: Promise<void> | null = null;
  /** Reads the installation's figures into their gauges (none without them). */
  private refresh: (() => Promise<void>) | null = null;

  constructor(
    installation: InstallationFigures | null,
    private readonly figuresTtlMs = 10_000,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'lanyard_' });
    this.calls = new Counter({
      name: 'lanyard_orcid_calls_total',
      help: "Calls to ORCID's APIs by this process, by tenant and HTTP status (0: no answer)",
      labelNames: ['tenant', 'status'],
      registers,
    });
    this.retries = new Counter({
      name: 'lanyard_orcid_retries_total',
      help: 'Calls to ORCID that were a retry of a failed attempt',
      labelNames: ['tenant'],
      registers,
    });
    this.unavailable = new Counter({
      name: 'lanyard_orcid_unavailable_total',
      help: 'ORCID answers 503 (rate limit or outage)',
      labelNames: ['tenant'],
      registers,
    });
    this.limiterWait = new Histogram({
      name: 'lanyard_limiter_wait_seconds',
      help: "Time calls waited for a slot of their client's rate limit",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.webhooks = new Counter({
      name: 'lanyard_webhook_notifications_total',
      help: 'ORCID webhook notifications received, by outcome (accepted, unknown)',
      labelNames: ['outcome'],
      registers,
    });
    if (!installation) return;
    const gauge = (name: string, help: string, labelNames: string[]) =>
      new Gauge({ name, help, labelNames, registers });
    const waiting = gauge('lanyard_work_waiting', 'Work waiting, by kind and tenant', ['kind', 'tenant']);
    const oldest = gauge('lanyard_work_oldest_seconds', 'Age of the oldest work waiting', ['kind', 'tenant']);
    const items = gauge('lanyard_items', 'Items by status', ['tenant', 'status']);
    const links = gauge('lanyard_links', 'ORCID links by status', ['tenant', 'status']);
    const lag = gauge('lanyard_sync_lag_seconds', 'Since the least recently read active record was read', [
      'tenant',
    ]);
    this.refresh = async () => {
      const [w, i, l, s] = await Promise.all([
        installation.waiting(),
        installation.items(),
        installation.links(),
        installation.syncLag(),
      ]);
      for (const g of [waiting, oldest, items, links, lag]) g.reset();
      for (const r of w) {
        waiting.set({ kind: r.kind, tenant: r.tenant }, r.waiting);
        oldest.set({ kind: r.kind, tenant: r.tenant }, r.oldestSeconds);
      }
      for (const r of i) items.set({ tenant: r.tenant, status: r.status }, r.count);
      for (const r of l) links.set({ tenant: r.tenant, status: r.status }, r.count);
      for (const r of s) lag.set({ tenant: r.tenant }, r.seconds);
    };
  }

  /** The call log's view of each attempt (the transport's recorder). */
  async record(call: CallRecord): Promise<void> {
    const tenant = call.tenantId ?? 'none';
    this.calls.inc({ tenant, status: String(call.status ?? 0) });
    if (call.attempt > 1) this.retries.inc({ tenant });
    if (call.status === 503) this.unavailable.inc({ tenant });
  }

  limiterWaited(ms: number): void {
    this.limiterWait.observe(ms / 1000);
  }

  webhookReceived(outcome: 'accepted' | 'unknown'): void {
    this.webhooks.inc({ outcome });
  }

  /** The exposition text; the installation's figures are read again when older than their TTL. */
  async render(): Promise<string> {
    if (this.refresh && Date.now() - this.figuresAt > this.figuresTtlMs) {
      this.figures ??= this.refresh().finally(() => {
        this.figures = null;
        this.figuresAt = Date.now();
      });
      await this.figures;
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
