// The workers' ORCID work: writes of items and re-reads of records, for every tenant, each at its
// own ORCID rate limit whatever the others have queued (docs/scaling.md).
//
// The items table and the links are the queues (migration 0019). Each round the scheduler looks
// for tenants with ready work, and for each of them, in turn from where the last round stopped,
// takes whole tokens from the tenant's bucket (never going into debt) and claims that much work:
// writes first (an administrator's retry ahead of the rest), then re-reads (those a notification
// or a connect asked for ahead of reconciliation's). A tenant without tokens is passed over, so a
// worker never holds a slot while it waits for one tenant's bucket. The first call of each claimed
// unit uses the token taken for it; the unit's further calls wait their turn at the bucket like any
// call. Claims are leases: work a dead worker held is ready again once its lease has run out.
//
// pg-boss is not used for this work: its queues are first in, first out across every tenant, and
// a fetched job would wait for its tenant's bucket while holding its worker's slot.
import type { Container } from '../app/container.js';
import type { ClaimedItem } from '../db/item.repository.js';
import type { Logger } from '../logger.js';

/** Re-reads that failed are tried again after 15 s, 30 s, 60 s… (8 times, then left to reconciliation). */
const SYNC_RETRY = { limit: 8, baseDelaySeconds: 15, maxDelaySeconds: 3600 };

export interface WorkUnitRunner {
  /** Tenants with ready work. */
  readyTenants(): Promise<string[]>;
  /** The tenant's ORCID client id (its rate-limit bucket); null when the tenant is gone. */
  clientOf(tenantId: string): Promise<string | null>;
  takeTokens(clientId: string, max: number): Promise<number>;
  giveBack(clientId: string, n: number): Promise<void>;
  /** Runs `work` with `tokens` already taken for its first calls. */
  prepaid<T>(clientId: string, tokens: number, work: () => Promise<T>): Promise<T>;
  claimWrites(tenantId: string, limit: number): Promise<ClaimedItem[]>;
  /** Writes the claimed items (records every outcome; never throws for an item's failure). */
  write(tenantId: string, claimed: ClaimedItem[]): Promise<void>;
  claimSyncs(
    tenantId: string,
    limit: number,
  ): Promise<Array<{ id: string; reason: string | null; retries: number }>>;
  /** Re-reads one claimed link and ends its claim (done or retried later). */
  sync(tenantId: string, link: { id: string; reason: string | null; retries: number }): Promise<void>;
}

export interface SchedulerOptions {
  /** Units of work in flight in this process at most. */
  maxInFlight: number;
  /** Longest pause between two looks for work when nothing announced any. */
  idleMs?: number;
  /** Pause after a round in which every ready tenant was out of tokens. */
  tokenWaitMs?: number;
  /** One claim in this many turns a tenant gets goes to its re-reads first, so writes never starve them. */
  syncEvery?: number;
}

export class OrcidWorkScheduler {
  private inFlight = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** The last round found every slot taken: a finished unit starts the next round. */
  private full = false;
  /** The tenant served last: the next round starts after it. */
  private lastTenant = '';
  private turns = new Map<string, number>();
  private readonly idle = new Set<Promise<void>>();

  constructor(
    private readonly run: WorkUnitRunner,
    private readonly logger: Logger,
    private readonly o: SchedulerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.rounds();
  }

  /** Work was queued somewhere: look now rather than at the next pause's end. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming and waits for the work in flight (at most `timeoutMs`; leases cover the rest). */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    const timeout = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([Promise.all([...this.idle]), timeout]);
  }

  private pause(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async rounds(): Promise<void> {
    while (this.running) {
      let outcome: 'dispatched' | 'no-tokens' | 'idle' | 'full';
      try {
        outcome = await this.round();
      } catch (e) {
        // The database is away or a statement failed: look again after a pause.
        this.logger.warn({ err: e }, 'could not schedule ORCID work');
        outcome = 'idle';
      }
      if (!this.running) break;
      this.full = outcome === 'full';
      if (outcome === 'idle') await this.pause(this.o.idleMs ?? 250);
      else if (outcome === 'no-tokens') await this.pause(this.o.tokenWaitMs ?? 40);
      else if (outcome === 'full') await this.pause(this.o.idleMs ?? 250);
    }
  }

  /** Tenants in turn, starting after the one served last. */
  private inTurn(tenants: string[]): string[] {
    const sorted = [...tenants].sort();
    const start = sorted.findIndex((t) => t > this.lastTenant);
    return start <= 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)];
  }

  private async round(): Promise<'dispatched' | 'no-tokens' | 'idle' | 'full'> {
    if (this.inFlight >= this.o.maxInFlight) return 'full';
    const tenants = this.inTurn(await this.run.readyTenants());
    if (!tenants.length) return 'idle';
    let dispatched = 0;
    for (const tenantId of tenants) {
      const free = this.o.maxInFlight - this.inFlight;
      if (free <= 0 || !this.running) break;
      const clientId = await this.run.clientOf(tenantId);
      if (!clientId) continue;
      // An even share of the free slots per ready tenant this round; the turn order evens out the rest.
      const want = Math.max(1, Math.ceil(free / tenants.length));
      const tokens = await this.run.takeTokens(clientId, want);
      if (!tokens) continue;
      this.lastTenant = tenantId;
      const used = await this.dispatch(tenantId, clientId, tokens);
      if (used < tokens) {
        await this.run.giveBack(clientId, tokens - used);
      }
      dispatched += used;
    }
    return dispatched ? 'dispatched' : 'no-tokens';
  }

  /** Claims up to `tokens` units of the tenant's work and starts them; returns how many. */
  private async dispatch(tenantId: string, clientId: string, tokens: number): Promise<number> {
    const turn = (this.turns.get(tenantId) ?? 0) + 1;
    this.turns.set(tenantId, turn);
    if (this.turns.size > 10_000) this.turns.clear();
    const syncFirst = turn % (this.o.syncEvery ?? 8) === 0;
    let syncs: Array<{ id: string; reason: string | null; retries: number }> = [];
    let writes: ClaimedItem[] = [];
    if (syncFirst) syncs = await this.run.claimSyncs(tenantId, tokens);
    if (syncs.length < tokens) writes = await this.run.claimWrites(tenantId, tokens - syncs.length);
    if (!syncFirst && syncs.length + writes.length < tokens)
      syncs = await this.run.claimSyncs(tenantId, tokens - writes.length);
    if (writes.length) {
      this.track(writes.length, () =>
        this.run.prepaid(clientId, writes.length, () => this.run.write(tenantId, writes)),
      );
    }
    for (const link of syncs) {
      this.track(1, () => this.run.prepaid(clientId, 1, () => this.run.sync(tenantId, link)));
    }
    return writes.length + syncs.length;
  }

  private track(units: number, work: () => Promise<void>): void {
    this.inFlight += units;
    const p: Promise<void> = work()
      .catch((e) => this.logger.error({ err: e }, 'ORCID work failed outside its own handling'))
      .finally(() => {
        this.inFlight -= units;
        this.idle.delete(p);
        if (this.full) this.wake();
      });
    this.idle.add(p);
  }
}

/** The scheduler's work on a container's parts. */
export function orcidWorkOf(c: Container): WorkUnitRunner {
  const limiter = c.rateLimiter;
  return {
    readyTenants: () => c.orcidWork.readyTenants(),
    clientOf: async (tenantId) => (await c.tenantDirectory.byId(tenantId))?.client_id ?? null,
    takeTokens: (clientId, max) => limiter.take(clientId, max),
    giveBack: (clientId, n) => limiter.giveBack(clientId, n),
    prepaid: (clientId, tokens, work) => limiter.prepaid(clientId, tokens, work),
    claimWrites: (tenantId, limit) => c.repos.items.claimReady(tenantId, limit, c.writeLeaseMs),
    async write(tenantId, claimed) {
      const outcomes = await c.writer.writeClaimed(tenantId, claimed);
      for (const [k, o] of outcomes.entries())
        if (o instanceof Error)
          c.logger.error(
            { err: o, itemId: claimed[k]!.item.id },
            'write attempt failed; tried again shortly',
          );
    },
    claimSyncs: (tenantId, limit) => c.repos.links.claimSyncs(tenantId, limit, c.writeLeaseMs),
    async sync(tenantId, link) {
      let retryIn: number | null = null;
      try {
        const outcome = await c.sync.recordSync.sync(tenantId, link.id);
        c.logger.debug(
          { linkId: link.id, reason: link.reason, outcome: outcome.kind },
          'record synchronised',
        );
      } catch (e) {
        if (link.retries < SYNC_RETRY.limit)
          retryIn = Math.min(SYNC_RETRY.maxDelaySeconds, SYNC_RETRY.baseDelaySeconds * 2 ** link.retries);
        c.logger.warn(
          { err: e, linkId: link.id, retryInSeconds: retryIn },
          retryIn === null
            ? 'record not synchronised; reconciliation will read it again'
            : 'record not synchronised yet',
        );
      }
      await c.repos.links.finishSync(tenantId, link.id, retryIn);
    },
  };
}
