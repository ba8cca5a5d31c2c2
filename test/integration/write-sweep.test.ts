// The abandoned-write sweep is a scheduled job: with three `lanyard serve --role worker`
// processes it runs once per interval (the lease, here 2 s), not once per process, and what it
// finds (an item whose lease ran out) is queued for writing again.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { spawnRole } from '../helpers/role-process.js';

const LEASE_SECONDS = 2;
const WORKERS = 3;

let db: TestDatabase;
const ring = new KeyRing([{ id: 'sweep', key: randomBytes(32) }]);
const workers = new Set<ChildProcess>();

async function startWorker(): Promise<ChildProcess> {
  const child = await spawnRole('worker', {
    DATABASE_URL: db.url,
    LANYARD_KEYS: ring.format(),
    LANYARD_WRITE_LEASE_SECONDS: String(LEASE_SECONDS),
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

describe('the abandoned-write sweep', () => {
  it('runs once per interval across three worker processes and queues again an item whose lease ran out', async () => {
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
    const seconds = 5 * LEASE_SECONDS;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const runs = await db.pool.query<{ runs: number; slots: number }>(
      `select count(*)::int as runs, count(distinct singleton_on)::int as slots from pgboss.job
       where name = 'write-sweep' and state = 'completed' and created_on >= $1`,
      [since],
    );
    const { runs: n, slots } = runs.rows[0]!;
    // Once per slot of LEASE_SECONDS: about five in ten seconds, where a sweep per process would
    // have run about fifteen times.
    expect(n).toBe(slots);
    expect(n).toBeGreaterThanOrEqual(seconds / LEASE_SECONDS - 2);
    expect(n).toBeLessThanOrEqual(seconds / LEASE_SECONDS + 1);
    const requeued = await db.pool.query(
      `select 1 from pgboss.job where name = 'item-write' and data->>'itemId' = $1`,
      [item.rows[0]!.id],
    );
    expect(requeued.rowCount).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
