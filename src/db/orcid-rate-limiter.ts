// ORCID's per-client rate limit, shared by every process through PostgreSQL. Each acquisition is
// one atomic statement on the client's token bucket: it refills the bucket for the time since
// its last use and takes a token, possibly going into debt; a caller in debt waits until its
// slot (debt / rate). So N processes together send at the client's rate and never above it.
//
// The scheduler (src/jobs/orcid-work.scheduler.ts) uses the other half: it takes whole tokens only
// (never into debt) before it claims a tenant's work, and the first call of each claimed unit uses
// the token taken for it (`prepaid`). A worker therefore never sleeps on a bucket while it holds
// work, and what a person waits for (a call made in a web request) only waits behind debt that
// its own kind made.
import { AsyncLocalStorage } from 'node:async_hooks';

import { type Kysely, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { RateLimiter } from '../orcid/transport.js';
import type { Database } from './schema.js';

export interface BucketSettings {
  perSecond: number;
  burst: number;
}

/** ORCID's member API limit (SPEC 10). */
export const ORCID_MEMBER_LIMIT: BucketSettings = { perSecond: 24, burst: 40 };

/**
 * The limit configured for a client id on its tenant (the lowest if several tenants share it),
 * ORCID's member default otherwise; re-read at most once a minute.
 */
export function tenantRateLimits(
  db: Kysely<Database>,
  ttlMs = 60_000,
): (clientId: string) => Promise<BucketSettings> {
  const cache = new LRUCache<string, BucketSettings>({ max: 10_000, ttl: ttlMs });
  return async (clientId) => {
    const hit = cache.get(clientId);
    if (hit) return hit;
    const row = await db
      .selectFrom('tenants')
      .select((eb) => [
        eb.fn.min('rate_limit_per_s').as('perSecond'),
        eb.fn.min('rate_limit_burst').as('burst'),
      ])
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    const value =
      row?.perSecond != null && row.burst != null
        ? { perSecond: Number(row.perSecond), burst: Number(row.burst) }
        : ORCID_MEMBER_LIMIT;
    cache.set(clientId, value);
    return value;
  };
}

/** Tokens already taken for the calls of the unit of work running in this async context. */
interface Prepaid {
  clientId: string;
  tokens: number;
}

export class PgRateLimiter implements RateLimiter {
  private readonly prepaidCalls = new AsyncLocalStorage<Prepaid>();

  constructor(
    private readonly db: Kysely<Database>,
    /** The limit of a client (tenants may have their own); ORCID's member default otherwise. */
    private readonly settingsOf: (clientId: string) => BucketSettings | Promise<BucketSettings> = () =>
      ORCID_MEMBER_LIMIT,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    /** Told how long each call waited for its slot (metrics). */
    private readonly onWait: (ms: number) => void = () => {},
  ) {}

  /**
   * Takes a token and returns how long to wait for it, in ms (0: go now). Half of ORCID's burst
   * is never used: requests reach ORCID with jitter (and a busy process sends those it held back
   * together), and that headroom keeps ORCID's bucket from running dry when they arrive closer
   * than 1/rate apart. The steady rate is the full rate.
   */
  async reserve(clientId: string): Promise<number> {
    const { perSecond, burst } = await this.bucketOf(clientId);
    const { rows } = await sql<{ tokens: number }>`
      insert into orcid_rate_limits as b (client_id, tokens, updated_at)
      values (${clientId}, ${burst - 1}, clock_timestamp())
      on conflict (client_id) do update set
        tokens = least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${perSecond}::float8) - 1,
        updated_at = clock_timestamp()
      returning tokens`.execute(this.db);
    const tokens = Number(rows[0]!.tokens);
    return tokens >= 0 ? 0 : Math.ceil((-tokens / perSecond) * 1000);
  }

  /** The bucket's usable size: half of ORCID's burst is kept as headroom (see reserve). */
  private async bucketOf(clientId: string): Promise<BucketSettings> {
    const { perSecond, burst } = await this.settingsOf(clientId);
    return { perSecond, burst: Math.max(1, Math.floor(burst * 0.5)) };
  }

  /**
   * Takes up to `max` whole tokens that are there now, never going into debt; returns how many
   * (0 when the client must wait). The scheduler claims that much of the tenant's work.
   */
  async take(clientId: string, max: number): Promise<number> {
    if (max <= 0) return 0;
    const { perSecond, burst } = await this.bucketOf(clientId);
    const { rows } = await sql<{ n: number }>`
      select lanyard_take_tokens(${clientId}, ${perSecond}::float8, ${burst}::float8, ${max}::int) as n`.execute(
      this.db,
    );
    return Number(rows[0]!.n);
  }

  /** Gives back tokens taken for work that was not there after all (another worker claimed it). */
  async giveBack(clientId: string, n: number): Promise<void> {
    if (n <= 0) return;
    const { burst } = await this.bucketOf(clientId);
    await sql`update orcid_rate_limits set tokens = least(${burst}::float8, tokens + ${n}::float8)
      where client_id = ${clientId}`.execute(this.db);
  }

  /** Runs `work` with `tokens` already taken for its first calls to the client. */
  prepaid<T>(clientId: string, tokens: number, work: () => Promise<T>): Promise<T> {
    return this.prepaidCalls.run({ clientId, tokens }, work);
  }

  async acquire(clientId: string): Promise<void> {
    const paid = this.prepaidCalls.getStore();
    if (paid && paid.clientId === clientId && paid.tokens > 0) {
      paid.tokens--;
      return;
    }
    const wait = await this.reserve(clientId);
    this.onWait(wait);
    if (wait > 0) await this.sleep(wait);
  }

  /** After a 503 every process sharing the client pauses about a second, then the bucket refills. */
  async backOff(clientId: string): Promise<void> {
    const { perSecond } = await this.settingsOf(clientId);
    await sql`update orcid_rate_limits set tokens = least(tokens, 0) - ${perSecond}::float8 where client_id = ${clientId}`.execute(
      this.db,
    );
  }
}
