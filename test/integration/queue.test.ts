// The job queue on a real PostgreSQL: payload checks, retry policy, singleton keys, failure
// after retries, and a graceful stop that lets the running job finish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, JobPayloadError, Queue } from '../../src/queue/queue.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let queue: Queue;
beforeAll(async () => {
  tdb = await freshDatabase();
  queue = await Queue.start(tdb.url, { schedule: false });
});
afterAll(async () => {
  await queue.stop(1000);
  await tdb.drop();
});

const until = async (check: () => Promise<boolean> | boolean, ms = 15000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('queue', () => {
  it("delivers the payload, and retries a failed attempt by the job's policy", async () => {
    const job = defineJob({
      name: 'test-retry',
      payload: z.object({ n: z.number() }),
      retry: { limit: 2, delaySeconds: 0, backoff: false },
    });
    await queue.register(job);
    const seen: Array<{ n: number; retry: number }> = [];
    await queue.work(
      job,
      async (p, ctx) => {
        seen.push({ n: p.n, retry: ctx.retryCount });
        if (ctx.retryCount === 0) throw new Error('first attempt fails');
      },
      { pollingSeconds: 0.5 },
    );
    const id = (await queue.enqueue(job, { n: 7 }))!;
    await until(async () => (await queue.jobState(job, id))?.state === 'completed');
    expect(seen).toEqual([
      { n: 7, retry: 0 },
      { n: 7, retry: 1 },
    ]);
    expect((await queue.jobState(job, id))!.retryCount).toBe(1);
  });

  it('marks a job failed once its retries are spent', async () => {
    const job = defineJob({
      name: 'test-fail',
      payload: z.object({}),
      retry: { limit: 1, delaySeconds: 0, backoff: false },
    });
    await queue.register(job);
    let attempts = 0;
    await queue.work(
      job,
      async () => {
        attempts++;
        throw new Error('always');
      },
      { pollingSeconds: 0.5 },
    );
    const id = (await queue.enqueue(job, {}))!;
    await until(async () => (await queue.jobState(job, id))?.state === 'failed');
    expect(attempts).toBe(2);
  });

  it('refuses a bad payload when sending, naming the field', async () => {
    const job = defineJob({
      name: 'test-payload',
      payload: z.object({ orcid: z.string().regex(/^\d{4}-/) }),
      retry: { limit: 0, delaySeconds: 0, backoff: false },
    });
    await queue.register(job);
    await expect(queue.enqueue(job, { orcid: 'nope' })).rejects.toThrow(JobPayloadError);
    await expect(queue.enqueue(job, { orcid: 'nope' })).rejects.toThrow(
      /test-payload: invalid payload: orcid/,
    );
  });

  it('with the stately policy, a singleton key queues one job per key while it waits', async () => {
    const job = defineJob({
      name: 'test-singleton',
      payload: z.object({}),
      retry: { limit: 0, delaySeconds: 0, backoff: false },
      policy: 'stately',
    });
    await queue.register(job);
    const a = await queue.enqueue(job, {}, { singletonKey: 'person-1', startAfterSeconds: 60 });
    const b = await queue.enqueue(job, {}, { singletonKey: 'person-1', startAfterSeconds: 60 });
    const c = await queue.enqueue(job, {}, { singletonKey: 'person-2', startAfterSeconds: 60 });
    expect(a).toEqual(expect.any(String));
    expect(b).toBeNull();
    expect(c).toEqual(expect.any(String));
  });

  it('a graceful stop waits for the running job to finish', async () => {
    const own = await Queue.start(tdb.url, { schedule: false });
    const job = defineJob({
      name: 'test-graceful',
      payload: z.object({}),
      retry: { limit: 0, delaySeconds: 0, backoff: false },
    });
    await own.register(job);
    let started = false;
    let finished = false;
    await own.work(
      job,
      async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 700));
        finished = true;
      },
      { pollingSeconds: 0.5 },
    );
    const id = (await own.enqueue(job, {}))!;
    await until(() => started);
    await own.stop(10_000);
    expect(finished).toBe(true);
    expect((await queue.jobState(job, id))!.state).toBe('completed');
  });
});
