// The job queue: the only module that imports pg-boss. Jobs are declared as data (name, zod
// payload, retry policy); payloads are checked when sent and again when received.
import PgBoss from 'pg-boss';
import type { z } from 'zod';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number;
  delaySeconds: number;
  /** Exponential backoff (delay doubles each retry). */
  backoff: boolean;
}

export interface JobDefinition<T> {
  name: string;
  payload: z.ZodType<T>;
  retry: RetryPolicy;
  /** A job running longer is considered lost and retried. */
  expireInSeconds?: number;
  /**
   * pg-boss queue policy, applied per singleton key: `short` keeps at most one waiting job per
   * key; `stately` also at most one running (a job left running by a dead process then blocks
   * the key's next job until it expires); `standard` (default) has no limit. Fixed when the
   * queue is first created.
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

export function defineJob<T>(def: JobDefinition<T>): JobDefinition<T> {
  return def;
}

export class JobPayloadError extends Error {}

export interface JobContext {
  id: string;
  /** Retries so far (0 on the first attempt). */
  retryCount: number;
  /** No retry follows if this attempt fails (its retry policy is spent). */
  finalAttempt: boolean;
}

const contextOf = (def: JobDefinition<unknown>, j: { id: string; retryCount: number }): JobContext => ({
  id: j.id,
  retryCount: j.retryCount,
  finalAttempt: j.retryCount >= def.retry.limit,
});

function check<T>(def: JobDefinition<T>, data: unknown): T {
  const r = def.payload.safeParse(data);
  if (!r.success)
    throw new JobPayloadError(
      `${def.name}: invalid payload: ${r.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

export class Queue {
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(private readonly boss: PgBoss) {}

  /** Connects and installs pg-boss's schema (in its own `pgboss` schema) if needed. */
  static async start(connectionString: string, options: { schedule?: boolean } = {}): Promise<Queue> {
    const boss = new PgBoss({ connectionString, schedule: options.schedule ?? true, max: 5 });
    boss.on('error', () => {
      // Connection errors surface on the next call; pg-boss retries its own maintenance.
    });
    await boss.start();
    return new Queue(boss);
  }

  /**
   * Creates the job's queue unless it exists. Processes starting together race to create it
   * (pg-boss's statements may then deadlock): the loser tries again once the winner is done.
   */
  async register<T>(def: JobDefinition<T>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.create(def);
      } catch (e) {
        if (await this.boss.getQueue(def.name)) return;
        if (attempt === 5) throw e;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
      }
    }
  }

  private async create<T>(def: JobDefinition<T>): Promise<void> {
    await this.boss.createQueue(def.name, {
      name: def.name,
      policy: def.policy ?? 'standard',
      retryLimit: def.retry.limit,
      retryDelay: def.retry.delaySeconds,
      retryBackoff: def.retry.backoff,
      expireInSeconds: def.expireInSeconds ?? 15 * 60,
    });
  }

  /** Sends a job; returns null when the queue's policy refuses a second job for the singleton key. */
  async enqueue<T>(
    def: JobDefinition<T>,
    payload: T,
    options: { singletonKey?: string; startAfterSeconds?: number } = {},
  ): Promise<string | null> {
    const data = check(def, payload);
    return this.boss.send(def.name, data as object, {
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    });
  }

  /**
   * Sends many jobs in one statement per thousand (a bulk upload queues thousands at once). Jobs
   * the queue's policy refuses for their singleton key are skipped, as with enqueue.
   */
  async enqueueMany<T>(
    def: JobDefinition<T>,
    jobs: Array<{ payload: T; singletonKey?: string; startAfterSeconds?: number }>,
  ): Promise<void> {
    for (let i = 0; i < jobs.length; i += 1000)
      await this.boss.insert(
        jobs.slice(i, i + 1000).map((j) => ({
          name: def.name,
          data: check(def, j.payload) as object,
          ...(j.singletonKey ? { singletonKey: j.singletonKey } : {}),
          ...(j.startAfterSeconds ? { startAfter: String(j.startAfterSeconds) } : {}),
        })),
      );
  }

  /** Runs the handler for each job; a throw fails that job's attempt (retried by its policy). */
  async work<T>(
    def: JobDefinition<T>,
    handler: (payload: T, job: JobContext) => Promise<void>,
    options: { pollingSeconds?: number; concurrency?: number } = {},
  ): Promise<void> {
    for (let i = 0; i < (options.concurrency ?? 1); i++)
      await this.boss.work<unknown>(
        def.name,
        { includeMetadata: true, pollingIntervalSeconds: options.pollingSeconds ?? 2 },
        // pg-boss fails the job when this throws.
        async ([job]) => handler(check(def, job!.data), contextOf(def as JobDefinition<unknown>, job!)),
      );
  }

  /**
   * Runs the handler on each fetched batch at once (e.g. to claim and record many items in one
   * statement each); it answers per job: null (done) or the error that fails that job's attempt.
   * A job whose payload is invalid fails without reaching the handler.
   */
  async workBatch<T>(
    def: JobDefinition<T>,
    handler: (jobs: Array<{ payload: T; job: JobContext }>) => Promise<Array<Error | null>>,
    options: { pollingSeconds?: number; concurrency?: number; batchSize: number },
  ): Promise<void> {
    for (let i = 0; i < (options.concurrency ?? 1); i++) {
      let workerId: string | undefined;
      workerId = await this.boss.work<unknown>(
        def.name,
        {
          includeMetadata: true,
          batchSize: options.batchSize,
          pollingIntervalSeconds: options.pollingSeconds ?? 2,
        },
        async (jobs) => {
          const fail = (id: string, e: Error) => this.boss.fail(def.name, id, { message: e.message });
          const valid: Array<{ payload: T; job: JobContext }> = [];
          for (const j of jobs) {
            const r = def.payload.safeParse(j.data);
            if (r.success) valid.push({ payload: r.data, job: contextOf(def as JobDefinition<unknown>, j) });
            else await fail(j.id, new JobPayloadError(`${def.name}: invalid payload`));
          }
          const errors = await handler(valid);
          // pg-boss completes the batch's other jobs when this returns.
          await Promise.all(errors.map((e, k) => (e ? fail(valid[k]!.job.id, e) : null)));
          if (jobs.length === options.batchSize && workerId) this.boss.notifyWorker(workerId);
        },
      );
    }
  }

  /** Cron schedule (e.g. '15 3 * * *'), sending the payload each time. */
  async schedule<T>(def: JobDefinition<T>, cron: string, payload: T): Promise<void> {
    await this.boss.schedule(def.name, cron, check(def, payload) as object);
  }

  /**
   * Every `seconds`: one job per interval, however many processes call this. Each offers the
   * interval's job (pg-boss keeps one per time slot and drops the others), so the work runs once
   * per interval while any of them is alive. For intervals under a minute; cron for the others.
   */
  async every<T>(def: JobDefinition<T>, seconds: number, payload: T): Promise<void> {
    const data = check(def, payload) as object;
    const slot = Math.max(1, Math.round(seconds));
    const offer = () => this.boss.send(def.name, data, { singletonSeconds: slot }).catch(() => null);
    await offer();
    // Twice per slot: a slot is never missed by a timer that fires a little late.
    const timer = setInterval(offer, (slot * 1000) / 2);
    timer.unref();
    this.timers.push(timer);
  }

  /** Jobs waiting (created or to be retried) per queue and tenant, with the age of the oldest. */
  async waiting(): Promise<Array<{ name: string; tenant: string; waiting: number; oldestSeconds: number }>> {
    const rows = (await this.boss.getDb().executeSql(
      `select name, coalesce(data->>'tenantId', 'none') as tenant, count(*) as n,
         extract(epoch from now() - min(created_on)) as oldest
       from pgboss.job where state in ('created', 'retry') group by 1, 2`,
      [],
    )) as { rows: Array<{ name: string; tenant: string; n: string; oldest: string }> };
    return rows.rows.map((r) => ({
      name: r.name,
      tenant: r.tenant,
      waiting: Number(r.n),
      oldestSeconds: Number(r.oldest),
    }));
  }

  /** Resolves when the queue's database answers and its schema is there (readiness). */
  async reachable(): Promise<void> {
    await this.boss.getDb().executeSql('select 1 from pgboss.version', []);
  }

  async jobState(
    def: JobDefinition<unknown>,
    id: string,
  ): Promise<{ state: string; retryCount: number } | null> {
    const job = await this.boss.getJobById(def.name, id);
    return job ? { state: job.state, retryCount: job.retryCount } : null;
  }

  /**
   * Stops fetching; in-flight jobs get `timeoutMs` to finish. Jobs still running after that stay
   * active and pg-boss hands them out again once they expire.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    await this.boss.stop({ graceful: true, timeout: timeoutMs, wait: true });
  }
}
