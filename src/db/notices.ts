// Notices between processes, over PostgreSQL's LISTEN/NOTIFY. Tenant changes: TenantRepository
// notifies in the statement's transaction (so the notice goes out when it commits), and every
// process drops its copies of that tenant. Work queued: writes stored as queued wake the workers'
// schedulers at once instead of at their next look. A listener that loses its connection connects
// again and reports "anything may have happened" (null), since notices sent meanwhile are lost.
import pg from 'pg';

export const TENANT_CHANNEL = 'lanyard_tenant_changed';
export const WORK_CHANNEL = 'lanyard_orcid_work';
const CHANNELS = [TENANT_CHANNEL, WORK_CHANNEL] as const;
export type Channel = (typeof CHANNELS)[number];

/** The notice's payload (a tenant id); null: the listener was away, anything may have happened. */
export type Notice = (channel: Channel, tenantId: string | null) => void;

export class NoticeListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly onNotice: Notice,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Resolves once notices are being received. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => {
      const channel = CHANNELS.find((c) => c === n.channel);
      if (channel) this.onNotice(channel, n.payload || null);
    });
    client.on('error', (e) => {
      this.onError(e);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    await client.connect();
    for (const c of CHANNELS) await client.query(`listen ${c}`);
    this.client = client;
  }

  private reconnect(from: pg.Client): void {
    if (this.closed || this.client !== from) return;
    this.client = null;
    from.removeAllListeners('end');
    const attempt = (delayMs: number) => {
      this.retry = setTimeout(() => {
        this.start().then(
          () => this.missedNotices(),
          (e: Error) => {
            this.onError(e);
            attempt(Math.min(delayMs * 2, 30_000));
          },
        );
      }, delayMs);
      this.retry.unref();
    };
    this.missedNotices();
    attempt(500);
  }

  private missedNotices(): void {
    for (const c of CHANNELS) this.onNotice(c, null);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
