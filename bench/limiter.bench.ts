// Issue #3: N worker processes share one ORCID client through the PostgreSQL rate limiter,
// against the simulator enforcing the same limit (24/s, burst 40). Target: at least 95% of the
// limit achieved in the steady state, and no 503 from the simulator; for 3 processes and for 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { connectResearcher, sandboxControl, spawnSandbox } from '../test/helpers/sandbox-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RATE = 24;
const BURST = 40;
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 30) * 1000;
/** The first seconds include the initial burst; the steady state is measured after them. */
const WARMUP_MS = 5000;

function runWorker(
  env: Record<string, string>,
): Promise<{ okTimes: number[]; rejected: number; otherErrors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/limiter-worker.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}`)),
    );
  });
}

export async function run(): Promise<void> {
  let dir: string | null = null;
  let stopPg = async () => {};
  let dbUrl = process.env.DATABASE_URL;
  if (!dbUrl) {
    dir = mkdtempSync(join(tmpdir(), 'lanyard-bench-'));
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, 'pg'),
      port: 56000 + Math.floor(Math.random() * 1000),
    });
    await ensureDatabase(pg.adminUrl, 'lanyard_bench');
    dbUrl = pg.urlFor('lanyard_bench');
    stopPg = pg.stop;
  }
  const db = openDatabase(dbUrl, { max: 2 });
  await migrateToLatest(db.db);
  const sandbox = await spawnSandbox();
  try {
    await fetch(`${sandbox.base}/__sandbox/rate-limit`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberPerSecond: RATE, burst: BURST, enabled: true }),
    });
    const client = (await sandboxControl(sandbox.base, '/clients', {
      name: 'Limiter bench',
      type: 'member',
      redirectUris: ['https://bench.example.org'],
    })) as { clientId: string; clientSecret: string };
    const { orcid, token } = await connectResearcher(
      sandbox.base,
      client,
      'limiter@example.org',
      '/read-limited',
    );

    for (const processes of [3, 1]) {
      // A fresh start for both buckets: ours in PostgreSQL, the simulator's.
      await db.db.deleteFrom('orcid_rate_limits').execute();
      await fetch(`${sandbox.base}/__sandbox/rate-limit`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true }),
      });
      const startAt = Date.now() + 3000;
      const results = await Promise.all(
        Array.from({ length: processes }, () =>
          runWorker({
            BENCH_DB_URL: dbUrl!,
            BENCH_RATE: String(RATE),
            BENCH_BURST: String(BURST),
            BENCH_START_AT: String(startAt),
            BENCH_DURATION_MS: String(DURATION_MS),
            BENCH_CONCURRENCY: '8',
            BENCH_URL: `${sandbox.base}/api/v3.0/${orcid}/record`,
            BENCH_TOKEN: token,
            BENCH_CLIENT_ID: client.clientId,
          }),
        ),
      );
      const ok = results.flatMap((r) => r.okTimes);
      const steady = ok.filter((t) => t >= startAt + WARMUP_MS && t < startAt + DURATION_MS).length;
      const achieved = steady / ((DURATION_MS - WARMUP_MS) / 1000);
      console.log(
        JSON.stringify({
          bench: 'limiter',
          scenario: `${processes}-process${processes > 1 ? 'es' : ''}`,
          processes,
          limit_per_s: RATE,
          burst: BURST,
          achieved_per_s: Math.round(achieved * 100) / 100,
          utilisation: Math.round((achieved / RATE) * 1000) / 1000,
          rejected: results.reduce((n, r) => n + r.rejected, 0),
          other_errors: results.reduce((n, r) => n + r.otherErrors, 0),
          requests_ok: ok.length,
          duration_s: DURATION_MS / 1000,
        }),
      );
    }
  } finally {
    await sandbox.stop();
    await db.close();
    await stopPg();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
