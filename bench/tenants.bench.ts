// Many organisations on one installation: `lanyard serve --role worker` processes sharing one
// PostgreSQL (embedded, started here) write for several tenants, each with its own ORCID client
// limited by the simulator (its own process) to ORCID's member limit, 24/s with a burst of 40.
// Scenarios (BENCH_TENANTS_SCENARIO=many-tenants|fairness runs one):
// - many-tenants: BENCH_TENANTS (default 10) tenants with 1,000 queued works each
//   (BENCH_TENANT_ITEMS), 3 worker processes. aggregate_calls_per_s, utilisation of
//   tenants × 24/s (target >= 0.95), rejected (ORCID 503s, target 0), duplicates (works found twice
//   in the simulator, target 0), and the first and last tenant to finish.
// - fairness: A has 20,000 works queued; a second later B queues 10. b_done_s (target <= 5) and
//   a_utilisation (A's calls per second over the 10 s after B queued, of 24; target >= 0.95).
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import type { Container } from '../src/app/container.js';
import type { Platform } from '../src/platform.js';
import { spawnSandbox } from '../test/helpers/sandbox-process.js';
import { benchTenant, queuedWorks } from './bench-tenant.js';
import {
  benchContainer,
  cpuSeconds,
  openBenchPlatform,
  peakRssMb,
  releaseWrites,
  roleEnv,
  spawnRole,
  stopRole,
} from './role-process.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const ITEMS = Number(process.env.BENCH_TENANT_ITEMS ?? 1000);
const BACKLOG = Number(process.env.BENCH_FAIRNESS_BACKLOG ?? 20_000);
const WORKERS = 3;
const RATE = 24;
const PEOPLE = 5;
const WINDOW_S = 10;

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settled(platform: Platform, tenantIds: string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ tenant_id: string; n: string }>`
    select tenant_id, count(*) as n from items
    where tenant_id = any(${tenantIds}::uuid[]) and status in ('in_orcid', 'invalid', 'failed', 'revoked')
    group by tenant_id`.execute(platform.db.db);
  return new Map(rows.map((r) => [r.tenant_id, Number(r.n)]));
}

async function callsOf(platform: Platform, tenantIds: string[], from: Date, to?: Date) {
  const { rows } = await sql<{ status: number | null; method: string; url: string }>`
    select status, method, url from orcid_calls where tenant_id = any(${tenantIds}::uuid[]) and created_at >= ${from}
      and (${to ?? null}::timestamptz is null or created_at < ${to ?? null}::timestamptz)`.execute(
    platform.db.db,
  );
  return rows;
}

/** Calls by method and the path's last segment (what the write path spent its calls on). */
const byKind = (calls: Array<{ method: string; url: string; status: number | null }>) => {
  const kinds: Record<string, number> = {};
  for (const c of calls) {
    const kind = `${c.method} ${new URL(c.url).pathname.split('/').pop()} ${c.status}`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
};

/** Works stored twice on one record by one client (by their DOI). */
async function duplicatesIn(sandboxBase: string, clientIds: Set<string>): Promise<number> {
  const state = (await (await fetch(`${sandboxBase}/__sandbox/state`)).json()) as {
    researchers: Array<{
      items: Array<{ section: string; sourceClientId: string; json: Record<string, unknown> }>;
    }>;
  };
  let duplicates = 0;
  for (const r of state.researchers) {
    const dois = r.items
      .filter((i) => i.section === 'work' && clientIds.has(i.sourceClientId))
      .map((i) => JSON.stringify(i.json['external-ids']));
    duplicates += dois.length - new Set(dois).size;
  }
  return duplicates;
}

async function startWorkers(platform: Platform, sandboxBase: string): Promise<ChildProcess[]> {
  const env = roleEnv(platform, sandboxBase);
  const workers: ChildProcess[] = [];
  for (let i = 0; i < WORKERS; i++) workers.push(await spawnRole('worker', env));
  return workers;
}

async function manyTenants(platform: Platform, parts: Container): Promise<Record<string, unknown>> {
  const sandbox = await spawnSandbox();
  let workers: ChildProcess[] = [];
  try {
    const tenants = [];
    for (let t = 0; t < TENANTS; t++)
      tenants.push(await benchTenant(parts, sandbox.base, `many-${t}`, PEOPLE));
    const footprintBefore = await footprint(platform);
    for (const t of tenants) await queuedWorks(platform, t, ITEMS);
    workers = await startWorkers(platform, sandbox.base);
    // The simulator's buckets refill while the workers start.
    await sleep(2000);
    const ids = tenants.map((t) => t.tenant.id);
    const cpuBefore = workers.map((w) => cpuSeconds(w.pid!));
    const startedAt = new Date();
    const t0 = performance.now();
    for (const t of tenants) await releaseWrites(platform, t.tenant.id);
    const finished = new Map<string, number>();
    while (finished.size < tenants.length) {
      await sleep(100);
      for (const [id, n] of await settled(platform, ids))
        if (n >= ITEMS && !finished.has(id)) finished.set(id, (performance.now() - t0) / 1000);
      if (performance.now() - t0 > 30 * 60_000) throw new Error('not written within 30 minutes');
    }
    const seconds = Math.max(...finished.values());
    const workerCpu = workers.reduce((sum, w, k) => sum + cpuSeconds(w.pid!) - cpuBefore[k]!, 0);
    // The call log commits in groups, and each server process reports its statistics within a
    // second or two of its last transaction.
    await sleep(3000);
    const calls = await callsOf(platform, ids, startedAt);
    const footprintAfter = await footprint(platform);
    const items = TENANTS * ITEMS;
    const collected = await collectAll(
      platform,
      parts,
      tenants.map((t) => t.tenant.id),
    );
    const aggregate = calls.length / seconds;
    return {
      bench: 'tenants',
      scenario: 'many-tenants',
      tenants: TENANTS,
      items_per_tenant: ITEMS,
      processes: WORKERS,
      seconds: round(seconds, 1),
      orcid_calls: calls.length,
      aggregate_calls_per_s: round(aggregate, 1),
      utilisation: round(aggregate / (TENANTS * RATE)),
      first_tenant_done_s: round(Math.min(...finished.values()), 1),
      last_tenant_done_s: round(seconds, 1),
      rejected: calls.filter((c) => c.status === 503 || c.status === 429).length,
      calls_by_kind: byKind(calls),
      duplicates: await duplicatesIn(sandbox.base, new Set(tenants.map((t) => t.client.clientId))),
      peak_rss_mb: Math.max(...workers.map((w) => peakRssMb(w.pid!))),
      // The capacity model's figures (docs/scaling.md).
      calls_per_worker_cpu_s: round(calls.length / workerCpu, 1),
      db_transactions_per_item: round(
        (footprintAfter.transactions - footprintBefore.transactions) / items,
        1,
      ),
      db_rows_written_per_item: round((footprintAfter.rowsWritten - footprintBefore.rowsWritten) / items, 1),
      bytes_per_item: Math.round((footprintAfter.itemBytes - footprintBefore.itemBytes) / items),
      call_log_bytes_per_call: Math.round(
        (footprintAfter.callBytes - footprintBefore.callBytes) / calls.length,
      ),
      ...collected,
    };
  } finally {
    for (const w of workers) await stopRole(w);
    await sandbox.stop();
  }
}

/**
 * Every link's record read into the collected copy (one re-read each, through the scheduler):
 * what the collected copy costs per link and per item on the records.
 */
async function collectAll(platform: Platform, parts: Container, tenantIds: string[]) {
  const size = async () =>
    Number(
      (
        await sql<{
          b: string;
        }>`select pg_total_relation_size('record_items') + pg_total_relation_size('record_changes') as b`.execute(
          platform.db.db,
        )
      ).rows[0]!.b,
    );
  const before = await size();
  const started = new Date();
  const { rows: links } = await sql<{ id: string; tenant_id: string }>`
    select id, tenant_id from orcid_links where tenant_id = any(${tenantIds}::uuid[]) and status = 'active'`.execute(
    platform.db.db,
  );
  await parts.repos.links.requestSync(
    links.map((l) => ({ tenantId: l.tenant_id, linkId: l.id, reason: 'bench', dueInSeconds: 0 })),
  );
  await sql`select pg_notify('lanyard_orcid_work', '')`.execute(platform.db.db);
  for (let i = 0; i < 1200; i++) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from orcid_links where id = any(${links.map((l) => l.id)}::uuid[]) and synced_at >= ${started}`.execute(
      platform.db.db,
    );
    if (Number(rows[0]!.n) === links.length) break;
    await sleep(100);
  }
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from record_items where tenant_id = any(${tenantIds}::uuid[])`.execute(
    platform.db.db,
  );
  const bytes = (await size()) - before;
  return {
    collected_links: links.length,
    collected_bytes_per_link: Math.round(bytes / links.length),
    collected_bytes_per_record_item: Math.round(bytes / Number(rows[0]!.n)),
  };
}

/** The database's counters and the sizes of what a write leaves (tables with their indexes). */
async function footprint(platform: Platform) {
  await sql`select pg_stat_force_next_flush()`.execute(platform.db.db).catch(() => undefined);
  const { rows } = await sql<{ xacts: string; written: string; item_bytes: string; call_bytes: string }>`
    select (select xact_commit + xact_rollback from pg_stat_database where datname = current_database()) as xacts,
      (select tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = current_database()) as written,
      pg_total_relation_size('items') + pg_total_relation_size('item_events') as item_bytes,
      pg_total_relation_size('orcid_calls') as call_bytes`.execute(platform.db.db);
  const r = rows[0]!;
  return {
    transactions: Number(r.xacts),
    rowsWritten: Number(r.written),
    itemBytes: Number(r.item_bytes),
    callBytes: Number(r.call_bytes),
  };
}

async function fairness(platform: Platform, parts: Container): Promise<Record<string, unknown>> {
  const sandbox = await spawnSandbox();
  let workers: ChildProcess[] = [];
  try {
    const a = await benchTenant(parts, sandbox.base, 'fair-a', PEOPLE);
    const b = await benchTenant(parts, sandbox.base, 'fair-b', PEOPLE);
    await queuedWorks(platform, a, BACKLOG);
    await queuedWorks(platform, b, 10);
    workers = await startWorkers(platform, sandbox.base);
    await sleep(2000);
    await releaseWrites(platform, a.tenant.id);
    await sleep(1000);
    const bQueuedAt = new Date();
    const t0 = performance.now();
    await releaseWrites(platform, b.tenant.id);
    let bDone: number | null = null;
    while (bDone === null) {
      await sleep(20);
      if (((await settled(platform, [b.tenant.id])).get(b.tenant.id) ?? 0) >= 10)
        bDone = (performance.now() - t0) / 1000;
      if (performance.now() - t0 > 120_000) throw new Error("B's items were not written within 2 minutes");
    }
    await sleep(Math.max(0, WINDOW_S * 1000 - (performance.now() - t0)) + 1500);
    const aCalls = await callsOf(
      platform,
      [a.tenant.id],
      bQueuedAt,
      new Date(bQueuedAt.getTime() + WINDOW_S * 1000),
    );
    const aLeft = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from items where tenant_id = ${a.tenant.id} and status = 'queued'`.execute(
          platform.db.db,
        )
      ).rows[0]!.n,
    );
    return {
      bench: 'tenants',
      scenario: 'fairness',
      a_backlog: BACKLOG,
      a_still_queued: aLeft,
      b_items: 10,
      processes: WORKERS,
      b_done_s: round(bDone, 2),
      a_calls_per_s: round(aCalls.length / WINDOW_S, 1),
      a_utilisation: round(aCalls.length / WINDOW_S / RATE),
      rejected: aCalls.filter((c) => c.status === 503 || c.status === 429).length,
    };
  } finally {
    for (const w of workers) await stopRole(w);
    await sandbox.stop();
  }
}

export async function run(): Promise<void> {
  const { platform, close } = await openBenchPlatform();
  const parts = benchContainer(platform);
  try {
    const only = process.env.BENCH_TENANTS_SCENARIO;
    if (!only || only === 'many-tenants') console.log(JSON.stringify(await manyTenants(platform, parts)));
    if (!only || only === 'fairness') console.log(JSON.stringify(await fairness(platform, parts)));
  } finally {
    await close();
  }
}
