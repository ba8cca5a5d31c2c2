// Whether this process can do its work: what /healthz answers (and, later, the readiness and
// metrics endpoints). Framework-free: the container hands it the checks.

export interface HealthChecks {
  /** Resolves when the database answers a trivial query. */
  database(): Promise<void>;
}

export interface Health {
  status: 'ok' | 'unavailable';
  database: 'ok' | 'unreachable';
}

export class HealthService {
  constructor(private readonly checks: HealthChecks) {}

  async check(): Promise<Health> {
    try {
      await this.checks.database();
      return { status: 'ok', database: 'ok' };
    } catch {
      return { status: 'unavailable', database: 'unreachable' };
    }
  }
}
