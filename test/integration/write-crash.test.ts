// Crash safety of the write path: `lanyard serve --role worker` processes are killed with
// SIGKILL at random moments while 500 items (works, CSV-style employments without external ids,
// keywords) are written, and started again. Every item must end in the simulator exactly once
// with its put code stored: a write that reached ORCID before the crash is adopted (found among
// this client's items, by external id or by content), never posted twice; items the dead worker
// held are queued again once their lease runs out.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedItem, mixedItemName } from '../helpers/fixtures.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { spawnRole } from '../helpers/role-process.js';
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

async function startWorker(): Promise<ChildProcess> {
  const child = await spawnRole('worker', {
    DATABASE_URL: p.db.url,
    LANYARD_KEYS: p.ring.format(),
    LANYARD_LOCAL_ORCID_URL: sb.base,
    LANYARD_WRITE_LEASE_SECONDS: String(LEASE_SECONDS),
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return child;
}

const written = async () =>
  Number(
    (
      await p.db.pool.query(`select count(*) from items where tenant_id = $1 and status = 'in_orcid'`, [
        p.tenant.id,
      ])
    ).rows[0].count,
  );

describe('kill -9 during a 500-item run of works, employments and keywords', () => {
  it('every item ends in the simulator exactly once, with its put code stored', async () => {
    const repo = p.container.repos.items;
    const personIds = (
      await p.db.pool.query('select id from people where tenant_id = $1 order by local_id', [p.tenant.id])
    ).rows.map((r) => r.id as string);
    const ids: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const { section, payload } = mixedItem('crash', i);
      const { item } = await repo.upsert(
        p.tenant.id,
        personIds[i % PEOPLE]!,
        { section, sourceKey: `crash-${i}`, payload, desired: 'present' },
        true,
      );
      ids.push(item.id);
    }
    await p.container.workPorts.writes.enqueueWrites(p.tenant.id, ids);
    // ORCID takes a while to answer each POST: a kill often lands after the simulator has
    // accepted a work and before the worker recorded its put code (it still completes the
    // request of a client that went away).
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/(work|employment|keywords)$',
      rate: 1,
      latencyMs: 250,
    });

    // Kill the worker at random moments (two at a time for part of the run), start it again.
    const killedAt: number[] = [];
    let worker = await startWorker();
    for (let round = 0; round < 6 && (await written()) < ITEMS; round++) {
      const second = round % 2 === 0 ? await startWorker() : null;
      // Once this round's workers are writing (the count moved, or at most 10 s), a random moment.
      const before = await written();
      for (let i = 0; i < 200 && (await written()) === before; i++)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, Math.random() * 600));
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

    // Each section's items are on the records once each, and their put codes are the stored ones.
    for (const section of ['work', 'employment', 'keywords']) {
      const onRecords: Array<{ putCode: number; name: string }> = [];
      for (const orcid of orcids)
        for (const x of await clientItems(sb.base, orcid, p.client.clientId, section))
          onRecords.push({ putCode: x.putCode, name: mixedItemName(section, x.json) });
      const stated = rows.filter(
        (r) => mixedItem('crash', Number(r.source_key.slice(6))).section === section,
      );
      expect(onRecords, section).toHaveLength(stated.length);
      expect(new Set(onRecords.map((w) => w.name)).size, section).toBe(stated.length);
      expect(new Set(stated.map((r) => Number(r.put_code))), section).toEqual(
        new Set(onRecords.map((w) => w.putCode)),
      );
    }
    // Works that reached ORCID before a kill were adopted afterwards, not posted again.
    const adopted = await p.db.pool.query(`select count(*) from item_events where action = 'adopt'`);
    expect(Number(adopted.rows[0].count)).toBeGreaterThan(0);
  }, 180_000);
});
