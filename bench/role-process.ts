// `lanyard serve --role <role>` as its own process, as in production, for the benches; the peak
// memory of such a process; and the embedded PostgreSQL the benches' processes share.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Container } from '../src/app/container.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { Queue } from '../src/queue/queue.js';
import { freePort } from '../test/helpers/demo-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Starts the role; resolves once it says it runs. `nodeArgs` (and BENCH_NODE_ARGS, for every
 * role a bench starts): e.g. "--cpu-prof" to profile it.
 */
export async function spawnRole(
  role: 'web' | 'worker',
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      join(root, 'src/main.ts'),
      'serve',
      '--role',
      role,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'error', ...env },
    },
  );
  const ready = role === 'web' ? 'Lanyard web listening' : 'Lanyard worker running';
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${role} exited ${code}: ${out}`)));
  });
  return child;
}

/** Stops the process (SIGTERM) and waits for it. */
export async function stopRole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The process's peak resident set (VmHWM), in MB. */
export const peakRssMb = (pid: number) =>
  Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

/** CPU seconds a process has used so far (user and system, from /proc). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * An embedded PostgreSQL of the bench's own (a temporary data directory), migrated, with a queue
 * on it that schedules nothing; `close` stops both and removes the directory.
 */
export async function openBenchPlatform(): Promise<{
  platform: Platform;
  queue: Queue;
  close(): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanyard-bench-'));
  const config = loadConfig({
    LANYARD_DATA_DIR: dataDir,
    LANYARD_EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
  });
  const platform = await openPlatform(config);
  const queue = await Queue.start(platform.url, { schedule: false });
  return {
    platform,
    queue,
    async close() {
      await queue.stop(2000);
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Queues at once every write the tenant's items wait with (stated as `pending`, so that no worker
 * starts on them while they are being stated), and wakes the workers: the clock starts here.
 */
export async function releaseWrites(platform: Platform, tenantId: string): Promise<void> {
  await sql`update items set status = 'queued', ready_at = now() where tenant_id = ${tenantId} and status = 'pending'`.execute(
    platform.db.db,
  );
  await sql`select pg_notify('lanyard_orcid_work', ${tenantId})`.execute(platform.db.db);
}

/** The parts of this (bench) process on the bench's database, with ORCID's `local` environment at `localOrcidUrl`. */
export function benchContainer(platform: Platform, localOrcidUrl = ''): Container {
  return new Container({
    database: platform.db,
    ring: platform.ring,
    logger: createLogger('silent'),
    localOrcidUrl,
  });
}

/** What a `serve` process of the bench needs: the bench's database and keys, and the simulator. */
export const roleEnv = (platform: Platform, sandboxBase: string): Record<string, string> => ({
  DATABASE_URL: platform.url,
  LANYARD_KEYS: platform.ring.format(),
  LANYARD_LOCAL_ORCID_URL: sandboxBase,
});
