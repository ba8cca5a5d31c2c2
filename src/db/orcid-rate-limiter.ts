// ORCID's per-client rate limit, shared by every process through PostgreSQL. Each acquisition is
// one atomic statement on the client's token bucket: it refills the bucket for the time since
// its last use and takes a token, possibly going into debt; a caller in debt waits until its
// slot (debt / rate). So N processes together send at the client's rate and never above it.

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

export class PgRateLimiter implements RateLimiter {
  constructor(
    private readonly db: Kysely<Database>,
    /** The limit of a client (tenants may have their own); ORCID's member default otherwise. */
    private readonly settingsOf: (clientId: string) => BucketSettings | Promise<BucketSettings> = () =>
      ORCID_MEMBER_LIMIT,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Takes a token and returns how long to wait for it, in ms (0: go now). A fifth of ORCID's
   * burst is never used: requests reach ORCID with jitter, and that headroom keeps its bucket from
   * running dry when two arrive closer than 1/rate apart. The steady rate is the full rate.
   */
  async reserve(clientId: string): Promise<number> {
    const { perSecond, burst: orcidBurst } = await this.settingsOf(clientId);
    const burst = Math.max(1, Math.floor(orcidBurst * 0.8));
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

  async acquire(clientId: string): Promise<void> {
    const wait = await this.reserve(clientId);
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
