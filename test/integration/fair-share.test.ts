// Many organisations on one installation, through the REST API, with the simulator enforcing
// ORCID's limit per client (24/s, burst 40): organisation A queues 2,000 works; a second later B
// queues 10. B's items are written within 5 s while A keeps using its whole limit. During A's
// backlog a researcher's connect (its read at connect) and an administrator's retry of a refused
// item are served within 2 s. Nothing is rejected by the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/db/rows.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { control, newResearcher } from '../helpers/sandbox.js';
import { type SandboxProcess, spawnSandbox } from '../helpers/sandbox-process.js';

const BACKLOG = 2000;
const B_ITEMS = 10;
const RATE = 24;

let sb: SandboxProcess;
let p: TestPortal;
let b: Tenant;
const keys = new Map<string, string>();
const orcidOf = new Map<string, string>();

beforeAll(async () => {
  // Its own process, as ORCID is (its clock is not held up by this process's load); it enforces
  // ORCID's member limit per client.
  sb = await spawnSandbox();
  p = await startPortal(sb.base, { worker: true });
  b = await p.addTenant({ slug: 'org-b', name: 'Organisation B' });
  for (const t of [p.tenant, b]) {
    keys.set(t.id, (await p.container.repos.apiKeys.create(t.id, 'feed')).key);
    for (let i = 0; i < 3; i++) {
      const localId = `${t.slug}-${i}`;
      const { orcid } = await newResearcher(sb.base);
      const { web } = await signInToPortal(
        { tenantUrl: `${p.base}/o/${t.slug}` },
        await p.addPerson({ employeeId: localId }, t.id),
      );
      expect(
        (await connectInPortal({ tenantUrl: `${p.base}/o/${t.slug}` }, sb.base, web, orcid)).status,
      ).toBe(303);
      orcidOf.set(localId, orcid);
    }
  }
  // Connecting read each record; let the buckets fill again.
  await new Promise((r) => setTimeout(r, 1500));
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.stop();
});

async function api(tenant: Tenant, method: string, path: string, body?: unknown) {
  const res = await fetch(`${p.base}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${keys.get(tenant.id)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  return { status: res.status, json: (await res.json()) as any };
}

const work = (key: string) => ({
  section: 'work',
  payload: {
    title: { title: { value: `Work ${key}` } },
    type: 'journal-article',
    'external-ids': {
      'external-id': [
        {
          'external-id-type': 'doi',
          'external-id-value': `10.5555/${key}`,
          'external-id-relationship': 'self',
        },
      ],
    },
  },
});

/** States items through the API, `parallel` requests at a time. */
async function stateWorks(tenant: Tenant, keysToState: string[], parallel = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < keysToState.length) {
        const key = keysToState[next++]!;
        const person = `${tenant.slug}-${Number(key.split('-').pop()) % 3}`;
        const r = await api(tenant, 'PUT', `/people/${person}/items/${key}`, work(key));
        expect(r.status).toBe(200);
      }
    }),
  );
}

const count = async (sql: string, params: unknown[]) =>
  Number((await p.db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

describe('fair share between organisations', () => {
  it("B's 10 items are written within 5 s of A's 2,000-item backlog, while A keeps its whole limit", async () => {
    const a = p.tenant;
    await stateWorks(
      a,
      Array.from({ length: BACKLOG }, (_, i) => `a-${i}`),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const bKeys = Array.from({ length: B_ITEMS }, (_, i) => `b-${i}`);
    const queuedAt = new Date();
    const started = performance.now();
    await stateWorks(b, bKeys, 10);
    await until(
      "B's items in ORCID",
      async () =>
        (await count(`select count(*) as n from items where tenant_id = $1 and status = 'in_orcid'`, [
          b.id,
        ])) === B_ITEMS,
      5000,
    );
    const bDoneMs = performance.now() - started;
    // A's calls in the 5 s after B queued (the call log commits in groups: wait for it).
    await new Promise((r) => setTimeout(r, 6000));
    const windowS = 5;
    const aCalls = await count(
      `select count(*) as n from orcid_calls where tenant_id = $1 and created_at >= $2 and created_at < $2::timestamptz + interval '5 seconds'`,
      [a.id, queuedAt],
    );
    const backlogLeft = await count(
      `select count(*) as n from items where tenant_id = $1 and status in ('queued', 'retrying')`,
      [a.id],
    );
    const rejected = await count(`select count(*) as n from orcid_calls where status in (429, 503)`, []);
    console.log(
      JSON.stringify({
        b_done_ms: Math.round(bDoneMs),
        a_calls_per_s: aCalls / windowS,
        backlogLeft,
        rejected,
      }),
    );
    expect(bDoneMs).toBeLessThan(5000);
    // A's backlog is still there, and A used (nearly) its whole limit meanwhile.
    expect(backlogLeft).toBeGreaterThan(1000);
    expect(aCalls / windowS).toBeGreaterThanOrEqual(0.9 * RATE);
    expect(rejected).toBe(0);
  }, 120_000);

  it("during A's backlog, a researcher's connect and an administrator's retry are served within 2 s", async () => {
    const a = p.tenant;
    expect(
      await count(`select count(*) as n from items where tenant_id = $1 and status = 'queued'`, [a.id]),
    ).toBeGreaterThan(500);

    // A researcher connects: the portal's callback reads the record at connect.
    const { orcid } = await newResearcher(sb.base);
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'late-joiner' }));
    const connectStarted = performance.now();
    expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
    const connectMs = performance.now() - connectStarted;
    expect(connectMs).toBeLessThan(2000);

    // An item ORCID refused (400) for one person; once fixed, the administrator retries it.
    const refusedOrcid = orcidOf.get(`${a.slug}-0`)!;
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: `/${refusedOrcid}/work$`,
      status: 400,
      rate: 1,
    });
    await stateWorks(a, ['retry-0']);
    // Setting the stage only: its first attempt is moved ahead of the backlog, so that ORCID's
    // refusal (invalid) comes now rather than after A's other works.
    await p.db.pool.query(
      `update items set ready_at = now() - interval '2 days' where tenant_id = $1 and source_key = 'retry-0'`,
      [a.id],
    );
    await until(
      'the refusal',
      async () => (await api(a, 'GET', '/items/retry-0')).json.status === 'invalid',
      10_000,
    );
    await control(sb.base, 'DELETE', '/faults');
    const retryStarted = performance.now();
    const retried = await api(a, 'POST', '/items/retry-0/retry');
    expect(retried.status).toBe(200);
    expect(retried.json.status).toBe('queued');
    const retryMs = await until(
      'the retry written',
      async () => (await api(a, 'GET', '/items/retry-0')).json.status === 'in_orcid',
      2000,
    );
    console.log(JSON.stringify({ connect_ms: Math.round(connectMs), retry_ms: Math.round(retryMs) }));
    expect(performance.now() - retryStarted).toBeLessThan(2500);

    // Retrying an item that is not failed or refused says why.
    const again = await api(a, 'POST', '/items/retry-0/retry');
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('conflict');
    expect((await api(a, 'POST', '/items/no-such-item/retry')).status).toBe(404);
    // Another organisation's item is not found through this key.
    expect((await api(b, 'POST', '/items/retry-0/retry')).status).toBe(404);
  }, 60_000);
});
