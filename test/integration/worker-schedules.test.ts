// With three `lanyard serve --role worker` processes, a job scheduled every N seconds
// (reconciliation, here every 5 s) runs once per interval, not once per process; and an item a
// dead worker left leased is taken again by the scheduler once its lease has run out.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { spawnRole } from '../helpers/role-process.js';

const LEASE_SECONDS = 2;
const INTERVAL_SECONDS = 5;
const WORKERS = 3;

let db: TestDatabase;
const ring = new KeyRing([{ id: 'sweep', key: randomBytes(32) }]);
const workers = new Set<ChildProcess>();

async function startWorker(): Promise<ChildProcess> {
  const child = await spawnRole('worker', {
    DATABASE_URL: db.url,
    LANYARD_KEYS: ring.format(),
    LANYARD_WRITE_LEASE_SECONDS: String(LEASE_SECONDS),
    LANYARD_RECONCILE_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return child;
}

beforeAll(async () => {
  db = await freshDatabase();
}, 30_000);
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await db?.drop();
});

describe('three worker processes', () => {
  it('run a scheduled job once per interval, and take again an item whose lease ran out', async () => {
    await Promise.all(Array.from({ length: WORKERS }, () => startWorker()));
    // An item a dead worker left leased, its lease long over.
    const tenant = await db.pool.query<{ id: string }>(
      `insert into tenants (slug, name, orcid_environment, api_type, client_id, client_secret_sealed,
         scopes, redirect_uri, support_contact)
       values ('sweep-uni', 'Sweep University', 'local', 'member', 'APP-SWEEP', 'x', '/read-limited',
         'http://127.0.0.1/cb', 'orcid@sweep.example.edu') returning id`,
    );
    const tenantId = tenant.rows[0]!.id;
    const person = await db.pool.query<{ id: string }>(
      `insert into people (tenant_id, local_id) values ($1, 'SWEEP-1') returning id`,
      [tenantId],
    );
    const item = await db.pool.query<{ id: string }>(
      `insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state,
         status, lease_token, lease_until)
       values ($1, $2, 'keywords', 'sweep-kw', '{"content":"sweep"}', 'h', 'present', 'queued', 'dead',
         now() - interval '1 minute') returning id`,
      [tenantId, person.rows[0]!.id],
    );
    const since = new Date();
    const seconds = 4 * INTERVAL_SECONDS;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const runs = await db.pool.query<{ runs: number; slots: number }>(
      `select count(*)::int as runs, count(distinct singleton_on)::int as slots from pgboss.job
       where name = 'reconcile' and state = 'completed' and created_on >= $1`,
      [since],
    );
    const { runs: n, slots } = runs.rows[0]!;
    // Once per slot of INTERVAL_SECONDS: about four in twenty seconds, where a run per process would
    // have made about twelve.
    expect(n).toBe(slots);
    expect(n).toBeGreaterThanOrEqual(seconds / INTERVAL_SECONDS - 2);
    expect(n).toBeLessThanOrEqual(seconds / INTERVAL_SECONDS + 1);
    // Taken again: a new lease (or already an outcome: no ORCID answers here, so it is retrying).
    const taken = await db.pool.query<{ claims: number; lease_token: string | null; status: string }>(
      'select claims, lease_token, status from items where id = $1',
      [item.rows[0]!.id],
    );
    expect(taken.rows[0]!.claims).toBeGreaterThanOrEqual(1);
    expect(taken.rows[0]!.lease_token).not.toBe('dead');
  }, 60_000);
});
