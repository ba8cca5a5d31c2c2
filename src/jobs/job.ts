// A job, whole in one file: its queue definition (name, payload, retry and queue policy), how a
// worker takes it (one at a time or in batches, how many at once), when it runs by itself (a
// schedule), and its handler, which takes its parts from the container. src/jobs/index.ts lists
// every job; the worker registers them by walking that list.
import type { Container } from '../app/container.js';
import type { JobContext, JobDefinition } from '../queue/queue.js';

/** When a job runs by itself: once per interval across every worker process. */
export type JobSchedule<T> =
  | { cron: string; payload: (c: Container) => T }
  | { everySeconds: (c: Container) => number; payload: (c: Container) => T };

interface JobBase<T> extends JobDefinition<T> {
  /** Seconds between two looks for new jobs (default 2; a role started for tests may set less). */
  pollingSeconds?: number;
  /** Handlers (or batches) in flight per worker process (default 1). */
  concurrency?: number;
  schedule?: JobSchedule<T>;
}

export interface EachJob<T> extends JobBase<T> {
  /** Throws to fail the attempt (retried by the policy unless `job.finalAttempt`). */
  handle(c: Container, payload: T, job: JobContext): Promise<void>;
}

export interface BatchJob<T> extends JobBase<T> {
  /** Jobs fetched at once. */
  batchSize: (c: Container) => number;
  /** Answers per job: null (done) or the error that fails that job's attempt. */
  handleBatch(c: Container, jobs: Array<{ payload: T; job: JobContext }>): Promise<Array<Error | null>>;
}

export type Job<T> = EachJob<T> | BatchJob<T>;

export const isBatchJob = <T>(j: Job<T>): j is BatchJob<T> => 'handleBatch' in j;

export function declareJob<T>(job: BatchJob<T>): BatchJob<T>;
export function declareJob<T>(job: EachJob<T>): EachJob<T>;
export function declareJob<T>(job: Job<T>): Job<T> {
  return job;
}
