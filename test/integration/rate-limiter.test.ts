// The shared ORCID rate limiter on a real PostgreSQL: one bucket per client, shared by pools
// (as by processes); burst first, then slots paced at the rate; a 503 pauses everyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { openDatabase } from '../../src/db/database.js';
import { PgRateLimiter, tenantRateLimits } from '../../src/db/orcid-rate-limiter.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { tenantInput } from '../helpers/fixtures.js';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await freshDatabase();
});
afterAll(() => tdb.drop());

describe('PgRateLimiter', () => {
  it("lets a burst through (keeping half of ORCID's as headroom), then slots 1/rate apart, across connections", async () => {
    const other = openDatabase(tdb.url, { max: 2 });
    try {
      // One a second, so that the time the reservations themselves take (a busy machine's stalls)
      // is small beside the slots' spacing.
      const a = new PgRateLimiter(tdb.db, () => ({ perSecond: 1, burst: 10 }));
      const b = new PgRateLimiter(other.db, () => ({ perSecond: 1, burst: 10 }));
      const waits: number[] = [];
      for (let i = 0; i < 8; i++) waits.push(await (i % 2 ? b : a).reserve('APP-SHARED'));
      // 5 of ORCID's 10 are usable at once.
      expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
      // Slots 6, 7, 8 are 1, 2, 3 s out (less the refill while the test ran).
      expect(waits[5]).toBeGreaterThan(500);
      expect(waits[5]).toBeLessThanOrEqual(1000);
      expect(waits[6]! - waits[5]!).toBeGreaterThan(500);
      expect(waits[6]! - waits[5]!).toBeLessThanOrEqual(1000);
      expect(waits[7]! - waits[6]!).toBeGreaterThan(500);
      // Another client has its own bucket.
      expect(await a.reserve('APP-OTHER')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('after a 503, the next slot is about a second away for everyone', async () => {
    const limiter = new PgRateLimiter(tdb.db, () => ({ perSecond: 24, burst: 40 }));
    expect(await limiter.reserve('APP-BACKOFF')).toBe(0);
    await limiter.backOff('APP-BACKOFF');
    const wait = await limiter.reserve('APP-BACKOFF');
    // A second of debt and this call's own 1/24 s, less the time between the two statements.
    expect(wait).toBeGreaterThan(700);
    expect(wait).toBeLessThanOrEqual(Math.ceil((25 / 24) * 1000));
  });

  it('acquire sleeps for the reserved slot', async () => {
    const slept: number[] = [];
    const limiter = new PgRateLimiter(
      tdb.db,
      () => ({ perSecond: 1, burst: 1 }),
      async (ms) => void slept.push(ms),
    );
    await limiter.acquire('APP-SLEEP');
    await limiter.acquire('APP-SLEEP');
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(900);
  });

  it("uses the limit configured on the client's tenant, ORCID's default otherwise", async () => {
    const repo = new TenantRepository(tdb.db, KeyRing.parse(`k:${Buffer.alloc(32, 3).toString('base64')}`));
    await repo.create(
      tenantInput(1, 's', { clientId: 'APP-SLOWSLOWSLOW0001', rateLimitPerSecond: 2, rateLimitBurst: 5 }),
    );
    const settings = tenantRateLimits(tdb.db);
    expect(await settings('APP-SLOWSLOWSLOW0001')).toEqual({ perSecond: 2, burst: 5 });
    expect(await settings('APP-UNKNOWN00000001')).toEqual({ perSecond: 24, burst: 40 });
    const limiter = new PgRateLimiter(tdb.db, settings);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) waits.push(await limiter.reserve('APP-SLOWSLOWSLOW0001'));
    // 2 of 5 usable at once, then slots half a second apart.
    // (ORCID's default of 24 a second would put them about 40 ms apart.)
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(250);
    expect(waits[2]).toBeLessThanOrEqual(500);
    expect(waits[3]! - waits[2]!).toBeGreaterThan(250);
  });
});

describe("PgRateLimiter's take (the scheduler's half)", () => {
  it('takes whole tokens that are there, never into debt: over a second, at most the usable burst and the refill', async () => {
    const limiter = new PgRateLimiter(tdb.db, () => ({ perSecond: 24, burst: 40 }));
    const started = performance.now();
    let firstDone = 0;
    let lastStarted = 0;
    let taken = 0;
    while (performance.now() - started < 1000) {
      lastStarted = performance.now();
      taken += await limiter.take('APP-TAKE', 64);
      firstDone ||= performance.now();
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    // 20 of ORCID's 40 at once, then 24 a second: at most the refill over the whole loop, at
    // least the refill between the first take and the start of the last.
    expect(taken).toBeLessThanOrEqual(20 + Math.ceil(24 * seconds));
    expect(taken).toBeGreaterThanOrEqual(20 + Math.floor((24 * (lastStarted - firstDone)) / 1000) - 1);
    // Never in debt: a call 1/rate later goes at once.
    await new Promise((r) => setTimeout(r, 60));
    expect(await limiter.reserve('APP-TAKE')).toBe(0);
  });

  it('a unit of work spends the tokens taken for it before it waits at the bucket', async () => {
    const slept: number[] = [];
    const limiter = new PgRateLimiter(
      tdb.db,
      () => ({ perSecond: 1, burst: 2 }),
      async (ms) => void slept.push(ms),
    );
    // The usable burst of ORCID's 2 is 1.
    expect(await limiter.take('APP-PREPAID', 5)).toBe(1);
    await limiter.prepaid('APP-PREPAID', 1, () => limiter.acquire('APP-PREPAID'));
    expect(slept).toEqual([]);
    // Without a prepaid token the bucket (now empty) makes the call wait about a second.
    await limiter.acquire('APP-PREPAID');
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(500);
  });
});
