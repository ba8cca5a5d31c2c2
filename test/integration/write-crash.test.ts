// Crash safety of the write path: `lanyard serve --role worker` processes are killed with
// SIGKILL at random moments while 500 items are written, and started again. Every item must end
// in the simulator exactly once with its put code stored: a write that reached ORCID before the
// crash is adopted (found among this client's items), never posted twice; items the dead worker
// held are queued again once their lease runs out.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ItemRepository } from '../../src/db/item.repository.js';
import { itemWriteQueue } from '../../src/jobs/write-item.job.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import {
  clientItems,
  control,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';

const ITEMS = 500;
const PEOPLE = 10;
const LEASE_SECONDS = 3;

let sb: TestSandbox;
let p: TestPortal;
const orcids: string[] = [];
const workers = new Set<ChildProcess>();

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: false });
  for (let i = 0; i < PEOPLE; i++) {
    const { orcid } = await newResearcher(sb.base);
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: `CRASH-${i}` }));
    expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
    orcids.push(orcid);
  }
}, 60_000);
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await p?.close();
  await sb?.close();
});

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--role', 'worker'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: p.db.url,
      LANYARD_KEYS: p.ring.format(),
      LANYARD_LOCAL_ORCID_URL: sb.base,
      LANYARD_WRITE_LEASE_SECONDS: String(LEASE_SECONDS),
      LOG_LEVEL: 'silent',
    },
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('Lanyard worker running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${out}`)));
  });
}

const written = async () =>
  Number(
    (
      await p.db.pool.query(`select count(*) from items where tenant_id = $1 and status = 'in_orcid'`, [
        p.tenant.id,
      ])
    ).rows[0].count,
  );

describe('kill -9 during a 500-item run', () => {
  it('every item ends in the simulator exactly once, with its put code stored', async () => {
    const repo = new ItemRepository(p.db.db);
    const personIds = (
      await p.db.pool.query('select id from people where tenant_id = $1 order by local_id', [p.tenant.id])
    ).rows.map((r) => r.id as string);
    const ids: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const payload = {
        title: { title: { value: `Crash test work ${i}` } },
        type: 'journal-article',
        'external-ids': {
          'external-id': [
            {
              'external-id-type': 'doi',
              'external-id-value': `10.5555/crash.${i}`,
              'external-id-relationship': 'self',
            },
          ],
        },
      };
      const { item } = await repo.upsert(
        p.tenant.id,
        personIds[i % PEOPLE]!,
        { section: 'work', sourceKey: `crash-${i}`, payload, desired: 'present' },
        true,
      );
      ids.push(item.id);
    }
    await itemWriteQueue(p.queue).enqueueWrites(p.tenant.id, ids);
    // ORCID takes a while to answer each POST: a kill often lands after the simulator has
    // accepted a work and before the worker recorded its put code (it still completes the
    // request of a client that went away).
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/work$',
      rate: 1,
      latencyMs: 250,
    });

    // Kill the worker at random moments (two at a time for part of the run), start it again.
    const killedAt: number[] = [];
    let worker = await startWorker();
    for (let round = 0; round < 6 && (await written()) < ITEMS; round++) {
      const second = round % 2 === 0 ? await startWorker() : null;
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      worker.kill('SIGKILL');
      second?.kill('SIGKILL');
      killedAt.push(await written());
      worker = await startWorker();
    }
    for (let i = 0; i < 600 && (await written()) < ITEMS; i++) await new Promise((r) => setTimeout(r, 100));
    worker.kill('SIGTERM');

    // The kills landed mid-run.
    expect(
      killedAt.some((n) => n > 0 && n < ITEMS),
      `written at each kill: ${killedAt}`,
    ).toBe(true);
    const rows = (
      await p.db.pool.query(`select status, put_code, source_key from items where tenant_id = $1`, [
        p.tenant.id,
      ])
    ).rows as Array<{ status: string; put_code: string | null; source_key: string }>;
    expect(rows.filter((r) => r.status !== 'in_orcid' || r.put_code === null)).toEqual([]);

    const inOrcid: Array<{ putCode: number; doi: string }> = [];
    for (const orcid of orcids)
      for (const w of await clientItems(sb.base, orcid, p.client.clientId, 'work')) {
        const ext = (w.json['external-ids'] as { 'external-id': Array<{ 'external-id-value': string }> })[
          'external-id'
        ];
        inOrcid.push({ putCode: w.putCode, doi: ext[0]!['external-id-value'] });
      }
    expect(inOrcid).toHaveLength(ITEMS);
    expect(new Set(inOrcid.map((w) => w.doi)).size).toBe(ITEMS);
    expect(new Set(rows.map((r) => Number(r.put_code)))).toEqual(new Set(inOrcid.map((w) => w.putCode)));
    // Works that reached ORCID before a kill were adopted afterwards, not posted again.
    const adopted = await p.db.pool.query(`select count(*) from item_events where action = 'adopt'`);
    expect(Number(adopted.rows[0].count)).toBeGreaterThan(0);
  }, 180_000);
});
