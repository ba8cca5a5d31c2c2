// The worker role: every job of src/jobs/index.ts is registered, worked and scheduled here, on the
// container's parts, and the scheduler of ORCID work (writes and re-reads, fair across tenants)
// runs here. Calls to ORCID that are not part of a person's request run here.
import { setFlagsFromString } from 'node:v8';
import { WorkerProcessRepository } from '../db/worker-process.repository.js';
import { JOBS } from '../jobs/index.js';
import { isBatchJob, type Job } from '../jobs/job.js';
import { OrcidWorkScheduler, orcidWorkOf } from '../jobs/orcid-work.scheduler.js';
import type { Queue } from '../queue/queue.js';
import type { Container } from './container.js';

/**
 * After each full collection V8 lets the heap grow up to four times what survived before the next
 * one. A job reading an upload makes garbage quickly, so the heap would sit at several times its
 * live size; growing it by half at most keeps a worker's memory near what it uses, for a few more
 * (short) collections. V8 reads this setting at every collection, so it applies once set here.
 */
const HEAP_GROWING_PERCENT = 50;

const HEARTBEAT_MS = 30_000;

export interface WorkerOptions {
  /** Looks for new jobs at least this often (tests); each job's own setting otherwise. */
  pollingSeconds?: number;
}

async function startJob<T>(queue: Queue, c: Container, job: Job<T>, o: WorkerOptions): Promise<void> {
  const pollingSeconds = Math.min(o.pollingSeconds ?? Number.POSITIVE_INFINITY, job.pollingSeconds ?? 2);
  const taking = { pollingSeconds, concurrency: job.concurrency ?? 1 };
  if (isBatchJob(job))
    await queue.workBatch(job, (jobs) => job.handleBatch(c, jobs), {
      ...taking,
      batchSize: job.batchSize(c),
    });
  else await queue.work(job, (payload, ctx) => job.handle(c, payload, ctx), taking);
  const s = job.schedule;
  if (!s) return;
  if ('cron' in s) await queue.schedule(job, s.cron, s.payload(c));
  else await queue.every(job, s.everySeconds(c), s.payload(c));
}

/**
 * Starts every job's handlers (their queues exist: registerJobs) and the ORCID work scheduler;
 * returns what stops the scheduler (stop the queue to stop the jobs).
 */
export async function startWorker(
  queue: Queue,
  c: Container,
  o: WorkerOptions = {},
): Promise<{ stop: (timeoutMs: number) => Promise<void> }> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  for (const job of JOBS) await startJob(queue, c, job as Job<unknown>, o);
  const scheduler = new OrcidWorkScheduler(orcidWorkOf(c), c.logger, {
    maxInFlight: c.writeConcurrency,
    idleMs: Math.min(250, (o.pollingSeconds ?? 1) * 1000),
  });
  const unsubscribe = c.onWorkQueued(() => scheduler.wake());
  scheduler.start();
  // The operator's installation health lists the workers seen in the last minutes.
  const processes = c.repos.workerProcesses;
  const self = WorkerProcessRepository.own();
  const startedAt = new Date();
  const beat = () =>
    processes.seen(self, startedAt).catch((err) => c.logger.warn({ err }, 'worker heartbeat not recorded'));
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    async stop(timeoutMs) {
      clearInterval(heartbeat);
      unsubscribe();
      await scheduler.stop(timeoutMs);
      await processes.gone(self).catch(() => {});
    },
  };
}
