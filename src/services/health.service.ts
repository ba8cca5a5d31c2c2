// Whether this process can do its work, for load balancers and process supervisors: /healthz says
// the process is alive (it answers), /readyz that it can serve (its database and the job queue
// answer, each within a few seconds). Framework-free: the container hands it the checks.

export interface HealthChecks {
  /** Resolves when the database answers a trivial query. */
  database(): Promise<void>;
  /** Resolves when the job queue (its schema in the database) answers; absent in a process without one. */
  queue?(): Promise<void>;
}

export interface Readiness {
  status: 'ready' | 'unavailable';
  database: 'ok' | 'unreachable';
  queue: 'ok' | 'unreachable' | 'none';
}

/** A check that has not answered by then counts as failed (a database that hangs is not ready). */
const CHECK_TIMEOUT_MS = 3000;

async function passes(check: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export class HealthService {
  constructor(private readonly checks: HealthChecks) {}

  /** Alive: the process answers (nothing else is looked at). */
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }

  async ready(): Promise<Readiness> {
    const [database, queue] = await Promise.all([
      passes(this.checks.database),
      this.checks.queue ? passes(this.checks.queue) : Promise.resolve(null),
    ]);
    const queueState = queue === null ? 'none' : queue ? 'ok' : 'unreachable';
    return {
      status: database && queue !== false ? 'ready' : 'unavailable',
      database: database ? 'ok' : 'unreachable',
      queue: queueState,
    };
  }
}
