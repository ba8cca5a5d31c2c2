// Tenant changes across processes: TenantRepository notifies on the channel below in the statement's
// transaction (so the notice goes out when it commits), and every process listening on it drops
// its copies of that tenant. A listener that loses its connection connects again and reports
// "everything may have changed", since notices sent meanwhile are lost.
import pg from 'pg';

export const TENANT_CHANNEL = 'lanyard_tenant_changed';

/** null: the listener was away, any tenant may have changed. */
export type TenantChanged = (tenantId: string | null) => void;

export class TenantChangeListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly onChange: TenantChanged,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Resolves once notices are being received. */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => {
      if (n.channel === TENANT_CHANNEL) this.onChange(n.payload || null);
    });
    client.on('error', (e) => {
      this.onError(e);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`listen ${TENANT_CHANNEL}`);
    this.client = client;
  }

  private reconnect(from: pg.Client): void {
    if (this.closed || this.client !== from) return;
    this.client = null;
    from.removeAllListeners('end');
    const attempt = (delayMs: number) => {
      this.retry = setTimeout(() => {
        this.start().then(
          () => this.onChange(null),
          (e: Error) => {
            this.onError(e);
            attempt(Math.min(delayMs * 2, 30_000));
          },
        );
      }, delayMs);
      this.retry.unref();
    };
    this.onChange(null);
    attempt(500);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
