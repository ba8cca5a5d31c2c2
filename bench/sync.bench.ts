// Synchronize, with the platform's roles as their own processes (`lanyard serve --role web|worker`)
// on one embedded PostgreSQL, and the simulator as its own process. One JSON line per scenario:
// - webhook-intake: POST /hooks/orcid/{token} for BENCH_INTAKE_LINKS (200) subscribed links under
//   load (autocannon, 50 connections, BENCH_INTAKE_SECONDS = 10): notifications_per_s answered
//   204 and p99_ms, the database included (each notification looks its token up and queues a
//   coalesced re-read). Target: >= 3,000/s, p99 <= 50 ms on this 2-core machine. Then 100
//   notifications for one iD within a second with a worker running: reads_per_100_notifications
//   (target <= 2).
// - reconcile: BENCH_SYNC_LINKS (2,000) connected records read once, then 500 of them changed at
//   ORCID and every link made overdue; the simulator enforces 24/s, burst 40; the worker runs
//   reconciliation every 10 s with the default share (25%, 6 reads/s) for BENCH_RECONCILE_SECONDS
//   (60): budget_utilisation (reads/s over the share, target >= 0.95), rejected (503s, target 0),
//   calls_per_unchanged_record (target 1).
// - reconcile-with-writes: the same while 1,000 writes are queued: writes_utilisation (the write
//   path's calls per second over the limit, target >= 0.75), reconcile_utilisation, rejected.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Container } from '../src/app/container.js';
import type { TokenResponse } from '../src/orcid/oauth.js';
import type { Platform } from '../src/platform.js';
import { freePort } from '../test/helpers/demo-process.js';
import {
  connectResearcher,
  type SandboxProcess,
  sandboxControl,
  spawnSandbox,
} from '../test/helpers/sandbox-process.js';
import { benchTenant } from './bench-tenant.js';
import { loadTest } from './http-baseline.js';
import {
  benchContainer,
  openBenchPlatform,
  releaseWrites,
  roleEnv,
  spawnRole,
  stopRole,
} from './role-process.js';

const INTAKE_LINKS = Number(process.env.BENCH_INTAKE_LINKS ?? 200);
const INTAKE_SECONDS = Number(process.env.BENCH_INTAKE_SECONDS ?? 10);
const SYNC_LINKS = Number(process.env.BENCH_SYNC_LINKS ?? 2000);
const CHANGED = Math.round(SYNC_LINKS / 4);
const RECONCILE_SECONDS = Number(process.env.BENCH_RECONCILE_SECONDS ?? 60);
const WRITES = 1000;
const RATE = 24;
const SHARE = 0.25;

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

/** ORCID calls of a tenant in a time window, by kind. */
async function callsBetween(platform: Platform, tenantId: string, from: Date, to: Date) {
  return platform.db.db
    .selectFrom('orcid_calls')
    .select(['method', 'url', 'status', 'orcid'])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
}

async function intake(
  platform: Platform,
  c: Container,
  sandbox: SandboxProcess,
  env: Record<string, string>,
) {
  const { tenant } = await benchTenant(c, sandbox.base, 'bench-intake', 0, {
    limit: { perSecond: RATE, burst: 40 },
  });
  const tokens: string[] = [];
  const fake: TokenResponse = {
    access_token: 'not-used',
    token_type: 'bearer',
    scope: '/read-limited',
    expires_in: 631138518,
  } as TokenResponse;
  for (let i = 0; i < INTAKE_LINKS; i++) {
    const person = (await c.repos.people.upsertFromSignIn(tenant.id, { employeeId: `intake-${i}` }))!;
    const orcid = `0000-0001-${String(1000 + i).padStart(4, '0')}-000X`;
    const link = await c.repos.links.create(tenant.id, person.id, { ...fake, orcid });
    const token = randomBytes(32).toString('base64url');
    const sub = await c.repos.webhooks.create(tenant.id, link.id, orcid, token, `bench/hooks/orcid/${token}`);
    await c.repos.webhooks.registered(tenant.id, sub!.id);
    tokens.push(token);
  }
  const port = await freePort();
  const web = await spawnRole('web', { ...env, LANYARD_PORT: String(port) });
  try {
    const base = `http://127.0.0.1:${port}`;
    const requests = tokens.map((t) => ({ method: 'POST' as const, path: `/hooks/orcid/${t}` }));
    await loadTest({ url: base, connections: 50, duration: 2, requests }); // warm up
    const r = await loadTest({ url: base, connections: 50, duration: INTAKE_SECONDS, requests });
    return {
      notifications_per_s: Math.round(r['2xx'] / r.duration),
      p50_ms: r.latency.p50,
      p99_ms: r.latency.p99,
      non_2xx: r.non2xx,
      errors: r.errors,
    };
  } finally {
    await stopRole(web);
    // The intake's links have no real token: they leave the stage (their queued re-reads too).
    await sql`update orcid_links set status = 'revoked' where tenant_id = ${tenant.id}`.execute(
      platform.db.db,
    );
    await sql`update orcid_links set sync_due_at = null where tenant_id = ${tenant.id}`.execute(
      platform.db.db,
    );
  }
}

async function readsPer100(platform: Platform, c: Container, env: Record<string, string>) {
  const sandbox = await spawnSandbox(['--no-rate-limit']);
  const port = await freePort();
  const web = await spawnRole('web', {
    ...env,
    LANYARD_PORT: String(port),
    LANYARD_LOCAL_ORCID_URL: sandbox.base,
  });
  const worker = await spawnRole('worker', { ...env, LANYARD_LOCAL_ORCID_URL: sandbox.base });
  try {
    const { tenant, client } = await benchTenant(c, sandbox.base, 'bench-coalesce', 0, {
      limit: { perSecond: RATE, burst: 40 },
    });
    const person = (await c.repos.people.upsertFromSignIn(tenant.id, { employeeId: 'coalesce' }))!;
    const r = await connectResearcher(sandbox.base, client, 'coalesce@example.org', tenant.scopes);
    const link = await c.repos.links.create(tenant.id, person.id, r.response as unknown as TokenResponse);
    const token = randomBytes(32).toString('base64url');
    const sub = await c.repos.webhooks.create(
      tenant.id,
      link.id,
      r.orcid,
      token,
      `bench/hooks/orcid/${token}`,
    );
    await c.repos.webhooks.registered(tenant.id, sub!.id);
    const from = new Date();
    await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`http://127.0.0.1:${port}/hooks/orcid/${token}`, { method: 'POST' }).then((x) =>
          x.arrayBuffer(),
        ),
      ),
    );
    await new Promise((res) => setTimeout(res, 5000));
    const calls = await callsBetween(platform, tenant.id, from, new Date());
    return calls.filter((x) => x.method === 'GET' && x.url.endsWith('/record')).length;
  } finally {
    await stopRole(worker);
    await stopRole(web);
    await sandbox.stop();
  }
}

async function reconcile(platform: Platform, c: Container, env: Record<string, string>) {
  const sandbox = await spawnSandbox();
  const lines: Array<Record<string, unknown>> = [];
  let worker: ChildProcess | null = null;
  try {
    const { tenant, client } = await benchTenant(c, sandbox.base, 'bench-reconcile', 0, {
      limit: { perSecond: RATE, burst: 40 },
      sync: { reconcileEveryDays: 1 },
    });
    const links: Array<{ id: string; orcid: string; personId: string }> = [];
    for (let i = 0; i < SYNC_LINKS; i++) {
      const person = (await c.repos.people.upsertFromSignIn(tenant.id, { employeeId: `rec-${i}` }))!;
      const r = await connectResearcher(sandbox.base, client, `rec-${i}@example.org`, tenant.scopes);
      const link = await c.repos.links.create(tenant.id, person.id, r.response as unknown as TokenResponse);
      links.push({ id: link.id, orcid: r.orcid, personId: person.id });
    }
    // Every record read once (the simulator's limit off meanwhile), as after a first pass, by
    // this process's parts on this scenario's simulator.
    const reader = benchContainer(platform, sandbox.base);
    await fetch(`${sandbox.base}/__sandbox/rate-limit`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    for (let i = 0; i < links.length; i += 16)
      await Promise.all(links.slice(i, i + 16).map((l) => reader.sync.recordSync.sync(tenant.id, l.id)));
    await reader.close();
    await fetch(`${sandbox.base}/__sandbox/rate-limit`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, memberPerSecond: RATE, burst: 40 }),
    });
    // A quarter changed at ORCID; every link overdue.
    const changed = new Set(links.slice(0, CHANGED).map((l) => l.orcid));
    for (const orcid of changed)
      await sandboxControl(sandbox.base, `/researchers/${orcid}/items`, {
        section: 'keywords',
        item: { content: 'changed since the last read' },
      });
    await sql`update orcid_links set synced_at = now() - interval '2 days' where tenant_id = ${tenant.id}`.execute(
      platform.db.db,
    );
    await new Promise((res) => setTimeout(res, 2000)); // the simulator's bucket refills

    worker = await spawnRole('worker', {
      ...env,
      LANYARD_LOCAL_ORCID_URL: sandbox.base,
      LANYARD_RECONCILE_INTERVAL_SECONDS: '10',
    });
    const measure = async (seconds: number) => {
      const from = new Date();
      await new Promise((res) => setTimeout(res, seconds * 1000));
      const calls = await callsBetween(platform, tenant.id, from, new Date());
      return { calls, seconds };
    };

    // Reconciliation alone: from its first read (the first run waits for its time slot).
    const started = new Date();
    while (!(await callsBetween(platform, tenant.id, started, new Date())).length)
      await new Promise((res) => setTimeout(res, 200));
    const alone = await measure(RECONCILE_SECONDS);
    const reads = alone.calls.filter((x) => x.method === 'GET' && x.url.endsWith('/record'));
    const unchangedReads = reads.filter((x) => x.orcid && !changed.has(x.orcid));
    const unchangedRecords = new Set(unchangedReads.map((x) => x.orcid)).size;
    lines.push({
      bench: 'sync',
      scenario: 'reconcile',
      links: SYNC_LINKS,
      changed: CHANGED,
      seconds: alone.seconds,
      reads: reads.length,
      reads_per_s: round(reads.length / alone.seconds, 2),
      budget_per_s: RATE * SHARE,
      budget_utilisation: round(reads.length / alone.seconds / (RATE * SHARE)),
      rejected: alone.calls.filter((x) => x.status === 503 || x.status === 429).length,
      calls_per_unchanged_record: unchangedRecords
        ? round(alone.calls.filter((x) => x.orcid && !changed.has(x.orcid)).length / unchangedRecords, 2)
        : null,
    });

    // With writes: 1,000 works queued for the same people at once.
    for (let i = 0; i < WRITES; i++) {
      const l = links[i % links.length]!;
      await c.repos.items.upsert(
        tenant.id,
        l.personId,
        {
          section: 'work',
          sourceKey: `bench-work-${i}`,
          payload: { title: { title: { value: `Bench work ${i}` } }, type: 'journal-article' },
          desired: 'present',
        },
        false,
      );
    }
    await releaseWrites(platform, tenant.id);
    const mixed = await measure(Math.min(RECONCILE_SECONDS, 30));
    // The write path's calls: its POSTs and PUTs, and the reads of a section it makes before a POST.
    const readCalls = mixed.calls.filter((x) => x.method === 'GET' && x.url.endsWith('/record'));
    const writeCalls = mixed.calls.filter((x) => !readCalls.includes(x) && !x.url.includes('/oauth/'));
    lines.push({
      bench: 'sync',
      scenario: 'reconcile-with-writes',
      seconds: mixed.seconds,
      write_calls: writeCalls.length,
      writes_utilisation: round(writeCalls.length / mixed.seconds / RATE),
      reconcile_reads: readCalls.length,
      reconcile_utilisation: round(readCalls.length / mixed.seconds / (RATE * SHARE)),
      all_calls_utilisation: round(mixed.calls.length / mixed.seconds / RATE),
      rejected: mixed.calls.filter((x) => x.status === 503 || x.status === 429).length,
    });
  } finally {
    if (worker) await stopRole(worker);
    await sandbox.stop();
  }
  return lines;
}

export async function run(): Promise<void> {
  const { platform, close } = await openBenchPlatform();
  const sandbox = await spawnSandbox(['--no-rate-limit']);
  const c = benchContainer(platform, sandbox.base);
  const env = roleEnv(platform, sandbox.base);
  try {
    const only = process.env.BENCH_SYNC_SCENARIO;
    if (!only || only === 'webhook-intake') {
      const figures = await intake(platform, c, sandbox, env);
      const reads = await readsPer100(platform, c, env);
      console.log(
        JSON.stringify({
          bench: 'sync',
          scenario: 'webhook-intake',
          links: INTAKE_LINKS,
          ...figures,
          reads_per_100_notifications: reads,
        }),
      );
    }
    if (!only || only.startsWith('reconcile'))
      for (const line of await reconcile(platform, c, env)) console.log(JSON.stringify(line));
  } finally {
    await c.close();
    await sandbox.stop();
    await close();
  }
}
