// /metrics on its own port, scraped during a run: every series the operator watches moves. ORCID
// calls by tenant and status, retries and 503s, the limiter's waits, webhook notifications, work
// waiting per kind and tenant (and its age), items and links by status, and sync lag. Also
// /healthz (alive) and /readyz (database and queue answer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsServer, serveMetrics } from '../../src/app/metrics-server.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { control, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let p: TestPortal;
let server: MetricsServer;
let key: string;
const TOKEN = 'metrics-token-0123456789abcdef';

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true, metricsToken: TOKEN });
  server = await serveMetrics(p.container.metrics, 0, '127.0.0.1');
  key = (await p.container.repos.apiKeys.create(p.tenant.id, 'feed')).key;
}, 30_000);
afterAll(async () => {
  await server?.close();
  await p?.close();
  await sb?.close();
});

/** Every sample of the exposition, as `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The sum of a series' samples whose labels include every one given. */
const total = (s: Map<string, number>, name: string, labels: Record<string, string> = {}) =>
  [...s]
    .filter(
      ([k]) =>
        (k === name || k.startsWith(`${name}{`)) &&
        Object.entries(labels).every(([l, v]) => k.includes(`${l}="${v}"`)),
    )
    .reduce((sum, [, v]) => sum + v, 0);

async function api(method: string, path: string, body?: unknown) {
  return fetch(`${p.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const keyword = (content: string) => ({ section: 'keywords', payload: { content } });

describe('/metrics', () => {
  it('shows each series moving during a run', async () => {
    const tenant = p.tenant.id;
    const before = await scrape();

    // A researcher connects (links by status, sync lag, ORCID calls, the limiter's waits).
    const { orcid } = await newResearcher(sb.base);
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'M-1' }));
    expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);

    // ORCID answers slowly for a while: written items wait (work waiting, and its age).
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/keywords$',
      rate: 1,
      latencyMs: 1500,
    });
    for (let i = 0; i < 3; i++)
      expect((await api('PUT', `/people/M-1/items/kw-${i}`, keyword(`k${i}`))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    const during = await scrape();
    expect(total(during, 'lanyard_work_waiting', { kind: 'orcid-write', tenant })).toBeGreaterThan(0);
    expect(total(during, 'lanyard_work_oldest_seconds', { kind: 'orcid-write', tenant })).toBeGreaterThan(
      0.5,
    );
    await control(sb.base, 'DELETE', '/faults');

    // ORCID answers 503 to a write (not sent again: it may have been stored), and to both attempts
    // of a re-read (a GET is sent again).
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/keywords$',
      rate: 1,
      status: 503,
    });
    await control(sb.base, 'POST', '/faults', {
      method: 'GET',
      pathPattern: '/record$',
      rate: 1,
      status: 503,
    });
    expect((await api('PUT', '/people/M-1/items/kw-503', keyword('k503'))).status).toBe(200);
    const link = await p.container.repos.links.activeByOrcid(tenant, orcid);
    await p.container.workPorts.recordSync.enqueueSync(tenant, link!.id, 'test');
    for (let i = 0; i < 50 && total(await scrape(), 'lanyard_orcid_retries_total', { tenant }) < 1; i++)
      await new Promise((r) => setTimeout(r, 100));
    await control(sb.base, 'DELETE', '/faults');

    // A webhook notification for no subscription.
    expect((await fetch(`${p.base}/hooks/orcid/no-such-token`, { method: 'POST' })).status).toBe(404);

    // Everything written.
    for (let i = 0; i < 100; i++) {
      const { rows } = await p.db.pool.query(
        `select count(*)::int as n from items where tenant_id = $1 and status = 'in_orcid'`,
        [tenant],
      );
      if (rows[0].n === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before, name, labels);
    expect(moved('lanyard_orcid_calls_total', { tenant, status: '201' })).toBeGreaterThanOrEqual(4);
    expect(moved('lanyard_orcid_calls_total', { tenant, status: '503' })).toBeGreaterThanOrEqual(1);
    expect(moved('lanyard_orcid_unavailable_total', { tenant })).toBeGreaterThanOrEqual(1);
    expect(moved('lanyard_orcid_retries_total', { tenant })).toBeGreaterThanOrEqual(1);
    expect(moved('lanyard_limiter_wait_seconds_count')).toBeGreaterThan(4);
    expect(moved('lanyard_webhook_notifications_total', { outcome: 'unknown' })).toBe(1);
    expect(moved('lanyard_items', { tenant, status: 'in_orcid' })).toBe(4);
    expect(moved('lanyard_links', { tenant, status: 'active' })).toBe(1);
    expect(total(after, 'lanyard_work_waiting', { kind: 'orcid-write', tenant })).toBe(0);
    expect(after.has(`lanyard_sync_lag_seconds{tenant="${tenant}"}`)).toBe(true);
    expect(total(after, 'lanyard_process_resident_memory_bytes')).toBeGreaterThan(0);

    // Only GET /metrics is served there.
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
  }, 60_000);

  it('with LANYARD_METRICS_TOKEN, GET /metrics on the web address answers only to that token', async () => {
    const ok = await fetch(`${p.base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('lanyard_orcid_calls_total');
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN]) {
      const refused = await fetch(`${p.base}/metrics`, authorization ? { headers: { authorization } } : {});
      expect(refused.status, String(authorization)).toBe(401);
      expect(await refused.text()).not.toContain('lanyard_');
    }
  });

  it('/healthz answers alive; /readyz says the database and the queue answer', async () => {
    const alive = await fetch(`${p.base}/healthz`);
    expect(alive.status).toBe(200);
    expect(await alive.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${p.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', queue: 'ok' });
  });
});
