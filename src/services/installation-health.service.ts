// The operator's view of the whole installation: the database, the job queue (depth and age of
// what waits, with the ORCID work the scheduler holds), the worker processes seen lately, each
// ORCID environment the organisations use (reachable or not), and mail (SMTP answers, the last
// mail that could not be sent).
import type { OrcidWorkRepository } from '../db/orcid-work.repository.js';
import type { TenantRepository } from '../db/tenant.repository.js';
import type { WorkerProcess, WorkerProcessRepository } from '../db/worker-process.repository.js';
import type { OrcidEnvironmentName } from '../orcid/environments.js';
import type { Reachability } from '../orcid/reachability.js';
import type { HealthService } from './health.service.js';

/** A worker not seen for this long is listed as missing. */
const WORKER_SILENT_MS = 120_000;

export interface InstallationHealth {
  database: 'ok' | 'unreachable';
  queue: {
    reachable: 'ok' | 'unreachable' | 'none';
    jobs: Array<{ name: string; waiting: number; oldestSeconds: number }>;
    orcidWork: { writes: number; syncs: number; oldestSeconds: number };
  };
  workers: Array<WorkerProcess & { silent: boolean }>;
  environments: Array<{ name: OrcidEnvironmentName; organisations: number } & Reachability>;
  mail: { configured: boolean; check: 'ok' | 'failed' | 'not configured'; detail: string };
}

export class InstallationHealthService {
  constructor(
    private readonly d: {
      health: HealthService;
      work: OrcidWorkRepository;
      workers: WorkerProcessRepository;
      tenants: TenantRepository;
      queueWaiting?: () => Promise<Array<{ name: string; waiting: number; oldestSeconds: number }>>;
      probe: (environment: OrcidEnvironmentName) => Promise<Reachability>;
      /** Connects to the SMTP server (throws when it does not answer); absent without one. */
      mailCheck?: () => Promise<void>;
    },
  ) {}

  async report(): Promise<InstallationHealth> {
    const ready = await this.d.health.ready();
    const [jobs, backlog, workers, tenants, mail] = await Promise.all([
      this.d.queueWaiting?.().catch(() => []) ?? Promise.resolve([]),
      this.d.work.backlog(),
      this.d.workers.list(),
      this.d.tenants.all(),
      this.mail(),
    ]);
    const byName = new Map<string, { name: string; waiting: number; oldestSeconds: number }>();
    for (const j of jobs) {
      const seen = byName.get(j.name) ?? { name: j.name, waiting: 0, oldestSeconds: 0 };
      byName.set(j.name, {
        name: j.name,
        waiting: seen.waiting + j.waiting,
        oldestSeconds: Math.max(seen.oldestSeconds, j.oldestSeconds),
      });
    }
    const sum = (kind: 'write' | 'sync') =>
      backlog.filter((b) => b.kind === kind).reduce((n, b) => n + b.waiting, 0);
    const used = new Map<OrcidEnvironmentName, number>();
    for (const t of tenants) used.set(t.orcid_environment, (used.get(t.orcid_environment) ?? 0) + 1);
    const environments = await Promise.all(
      [...used].map(async ([name, organisations]) => ({
        name,
        organisations,
        ...(await this.d.probe(name)),
      })),
    );
    const now = Date.now();
    return {
      database: ready.database,
      queue: {
        reachable: ready.queue,
        jobs: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
        orcidWork: {
          writes: sum('write'),
          syncs: sum('sync'),
          oldestSeconds: Math.max(0, ...backlog.map((b) => b.oldest_s)),
        },
      },
      workers: workers.map((w) => ({ ...w, silent: now - w.seen_at.getTime() > WORKER_SILENT_MS })),
      environments,
      mail,
    };
  }

  private async mail(): Promise<InstallationHealth['mail']> {
    if (!this.d.mailCheck)
      return { configured: false, check: 'not configured', detail: 'mail is kept in the outbox only' };
    try {
      await this.d.mailCheck();
      return { configured: true, check: 'ok', detail: 'the SMTP server answered' };
    } catch (e) {
      return { configured: true, check: 'failed', detail: (e as Error).message };
    }
  }
}
