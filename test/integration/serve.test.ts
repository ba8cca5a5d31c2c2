// `lanyard serve`: web and worker roles on a real database, the daily call-log purge job, and an
// orderly stop on SIGTERM (also in embedded mode, where PostgreSQL must be stopped last).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { purgeCallLogJob } from '../../src/jobs/purge-call-log.job.js';
import { Queue } from '../../src/queue/queue.js';
import { lanyard } from '../helpers/cli.js';
import { freshDatabase } from '../helpers/database.js';
import { tenantInput } from '../helpers/fixtures.js';

interface Running {
  child: ChildProcess;
  out: () => string;
  web: string | null;
}

function serve(role: string, env: Record<string, string>, ready: RegExp): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--role', role], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        LANYARD_KEYS: '',
        LANYARD_PORT: '0',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out))
        resolve({ child, out: () => out, web: /listening on (\S+)/.exec(out)?.[1] ?? null });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.removeAllListeners('exit');
    r.child.once('exit', (code) => resolve(code));
    r.child.kill('SIGTERM');
  });
}

const keys = () => `k1:${randomBytes(32).toString('base64')}`;

describe('lanyard serve', () => {
  it('--role all: health check, the purge job runs in the worker, SIGTERM stops cleanly', async () => {
    const tdb = await freshDatabase();
    try {
      const running = await serve(
        'all',
        { DATABASE_URL: tdb.url, LANYARD_KEYS: keys() },
        /web listening[\s\S]*worker running|worker running[\s\S]*web listening/,
      );
      const health = await fetch(`${running.web}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${running.web}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', queue: 'ok' });

      const call = { method: 'GET', url: 'https://api.orcid.org/v3.0/x/record', duration_ms: 5 };
      await tdb.db
        .insertInto('orcid_calls')
        .values({ ...call, orcid: 'old', created_at: sql<Date>`now() - interval '100 days'` })
        .execute();
      await tdb.db
        .insertInto('orcid_calls')
        .values({ ...call, orcid: 'recent' })
        .execute();
      const queue = await Queue.start(tdb.url, { schedule: false });
      await queue.enqueue(purgeCallLogJob, { olderThanDays: 90 });
      await queue.stop(1000);
      const end = Date.now() + 15000;
      let left: string[] = [];
      while (Date.now() < end) {
        left = (await tdb.db.selectFrom('orcid_calls').select('orcid').execute()).map((r) => r.orcid ?? '');
        if (!left.includes('old')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(left).toEqual(['recent']);

      expect(await stop(running), running.out()).toBe(0);
      expect(running.out()).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
    } finally {
      await tdb.drop();
    }
  });

  it('refuses to start the web role for an organisation on ORCID production without an https public URL', async () => {
    const tdb = await freshDatabase();
    try {
      const ring = keys();
      await new TenantRepository(tdb.db, KeyRing.parse(ring)).create(
        tenantInput(1, 'secret-0123456789', {
          orcidEnvironment: 'production',
          redirectUri: 'https://orcid.example.edu/o/prod/orcid/callback',
        }),
      );
      const env = {
        DATABASE_URL: tdb.url,
        LANYARD_KEYS: ring,
        LANYARD_PUBLIC_URL: 'http://orcid.example.edu',
      };
      const refused = await serve('web', env, /web listening/).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(refused).toMatch(/exited 1/);
      expect(refused).toContain('LANYARD_PUBLIC_URL: must be an https:// address');
      // The worker sets no cookies: it starts.
      const worker = await serve('worker', env, /worker running/);
      expect(await stop(worker)).toBe(0);
    } finally {
      await tdb.drop();
    }
  });

  it('embedded mode: SIGTERM stops the web role, then PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-serve-'));
    const port = 57000 + Math.floor(Math.random() * 1000);
    try {
      const running = await serve(
        'web',
        { LANYARD_DATA_DIR: dir, LANYARD_EMBEDDED_PG_PORT: String(port) },
        /web listening/,
      );
      expect((await fetch(`${running.web}/healthz`)).status).toBe(200);
      // A CLI command while it runs uses the same embedded server (never a second one on the files).
      const env = { LANYARD_DATA_DIR: dir, LANYARD_EMBEDDED_PG_PORT: String(port + 1) };
      const migrate = await lanyard(['migrate'], env);
      expect(migrate.out).not.toContain('undefined');
      expect(migrate.code).toBe(0);
      const apiKey = await lanyard(['tenant', 'api-key', 'nosuch', '--name', 'x'], env);
      expect(apiKey.code).toBe(2);
      expect(apiKey.out).toContain('no organisation with slug nosuch');
      expect((await fetch(`${running.web}/healthz`)).status).toBe(200);
      expect(await stop(running)).toBe(0);
      expect(running.out()).toContain('stopped');
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'x',
        database: 'x',
        connectionTimeoutMillis: 1000,
      });
      await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('embedded mode: after serve is killed with SIGKILL, the next start adopts the PostgreSQL it left and stops it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-serve-'));
    const port = 58000 + Math.floor(Math.random() * 1000);
    const env = { LANYARD_DATA_DIR: dir, LANYARD_EMBEDDED_PG_PORT: String(port) };
    const refused = () =>
      new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'x', connectionTimeoutMillis: 1000 })
        .connect()
        .then(
          () => false,
          (e: Error) => /ECONNREFUSED/.test(e.message),
        );
    try {
      const first = await serve('web', env, /web listening/);
      first.child.removeAllListeners('exit');
      const exited = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGKILL');
      await exited;
      // PostgreSQL outlived it.
      expect(await refused()).toBe(false);
      const second = await serve('web', env, /web listening/);
      const ready = await fetch(`${second.web}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ database: 'ok', queue: 'ok' });
      expect(await stop(second)).toBe(0);
      expect(await refused()).toBe(true);
      // And a start after that starts it afresh.
      const third = await serve('web', env, /web listening/);
      expect((await fetch(`${third.web}/readyz`)).status).toBe(200);
      expect(await stop(third)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
