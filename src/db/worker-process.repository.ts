// The worker processes' signs of life: each says it is alive every half minute, and is forgotten
// when it stops (or a day after it was last seen, if it died).
import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export interface WorkerProcess {
  id: string;
  host: string;
  pid: number;
  started_at: Date;
  seen_at: Date;
}

export class WorkerProcessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** This process's id. */
  static own(): string {
    return `${hostname()}:${process.pid}`;
  }

  async seen(id: string, startedAt: Date): Promise<void> {
    const [host, pid] = [hostname(), process.pid];
    await this.db
      .insertInto('worker_processes')
      .values({ id, host, pid, started_at: startedAt, seen_at: new Date() })
      .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: new Date() }))
      .execute();
    await sql`delete from worker_processes where seen_at < now() - interval '1 day'`.execute(this.db);
  }

  async gone(id: string): Promise<void> {
    await this.db.deleteFrom('worker_processes').where('id', '=', id).execute();
  }

  list(): Promise<WorkerProcess[]> {
    return this.db.selectFrom('worker_processes').selectAll().orderBy('seen_at', 'desc').execute();
  }
}
