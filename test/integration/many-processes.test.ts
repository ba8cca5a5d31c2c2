// Many processes on one PostgreSQL server of the test's own (Debian's PostgreSQL 15 where
// installed): two `serve --role web` and three `serve --role worker` processes started at once
// (migrations run once, the others wait), a researcher who signs in on one web process and
// connects on the other, 240 items stated through both (works, employments without external
// ids, keywords), workers and a web process killed with SIGKILL mid-run and started again, and the PostgreSQL
// server stopped and started mid-run: the web processes answer 503 with a clear page while it is
// away and recover by themselves, and in the end every item is in ORCID exactly once with its put
// code stored.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container } from '../../src/app/container.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import type { Tenant } from '../../src/db/rows.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from '../helpers/demo-process.js';
import { mixedItem, mixedItemName } from '../helpers/fixtures.js';
import { createDatabase, type PgServer, startPgServer } from '../helpers/pg-server.js';
import { connectInPortal, signInToPortal } from '../helpers/portal.js';
import { spawnRole } from '../helpers/role-process.js';
import { clientItems, newClient, newResearcher } from '../helpers/sandbox.js';
import { type SandboxProcess, spawnSandbox } from '../helpers/sandbox-process.js';

const PEOPLE = 3;
const ITEMS = 240;

let server: PgServer;
let sb: SandboxProcess;
let db: Db;
let parts: Container;
let tenant: Tenant;
let clientId: string;
let apiKey: string;
const ring = new KeyRing([{ id: 'mp', key: randomBytes(32) }]);
const webs: string[] = [];
const webPorts: number[] = [];
const processes = new Set<ChildProcess>();
let env: Record<string, string>;
const orcids: string[] = [];
/** Processes that stopped by themselves (none should: each survives PostgreSQL going away). */
const crashed: string[] = [];

/** The port a web process listens on. */
const portOf = new WeakMap<ChildProcess, number>();
const webOf = (child: ChildProcess) => portOf.get(child);

async function start(role: 'web' | 'worker', extra: Record<string, string> = {}): Promise<ChildProcess> {
  const child = await spawnRole(role, { ...env, ...extra });
  if (extra.LANYARD_PORT) portOf.set(child, Number(extra.LANYARD_PORT));
  processes.add(child);
  child.once('exit', (code, signal) => {
    processes.delete(child);
    crashed.push(`${child.spawnargs.at(-1)} exited ${code ?? signal}`);
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => {
      processes.delete(child);
      resolve();
    });
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  server = await startPgServer();
  sb = await spawnSandbox(['--no-rate-limit']);
  const url = await createDatabase(server, 'lanyard_mp');
  const ports = [await freePort(), await freePort()];
  webs.push(...ports.map((p) => `http://127.0.0.1:${p}`));
  webPorts.push(...ports);
  env = {
    DATABASE_URL: url,
    LANYARD_KEYS: ring.format(),
    LANYARD_LOCAL_ORCID_URL: sb.base,
    // Both web processes are one site behind a load balancer: links and callbacks name the first.
    LANYARD_PUBLIC_URL: webs[0]!,
    LANYARD_WRITE_LEASE_SECONDS: '3',
  };
  // Five processes at once, each running the migrations when it starts.
  const started = await Promise.all([
    start('web', { LANYARD_PORT: String(ports[0]) }),
    start('web', { LANYARD_PORT: String(ports[1]) }),
    start('worker'),
    start('worker'),
    start('worker'),
  ]);
  expect(started).toHaveLength(5);
  db = openDatabase(url, { max: 4 });
  parts = new Container({ database: db, ring, logger: createLogger('silent'), localOrcidUrl: sb.base });
  const client = await newClient(sb.base, { redirectUris: [webs[0]!] });
  clientId = client.clientId;
  tenant = await parts.repos.tenants.create({
    slug: 'many',
    name: 'Many Processes University',
    orcidEnvironment: 'local',
    apiType: 'member',
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    scopes: '/read-limited /activities/update /person/update',
    redirectUri: `${webs[0]}/o/many/orcid/callback`,
    supportContact: 'orcid@many.example.edu',
    signIn: { demoDirectory: true },
    org: {
      name: 'Many Processes University',
      city: 'Wellington',
      country: 'NZ',
      disambiguatedId: 'https://ror.org/0040r6f76',
      disambiguationSource: 'ROR',
    },
    // Slow enough that the run outlasts the stating of its items and every interruption below.
    rateLimitPerSecond: 20,
    rateLimitBurst: 40,
  });
  apiKey = (await parts.repos.apiKeys.create(tenant.id, 'feed')).key;
}, 120_000);

afterAll(async () => {
  for (const child of [...processes]) await kill(child);
  await db?.close();
  await sb?.stop();
  await server?.close();
});

async function api(web: string, method: string, path: string, body?: unknown) {
  return fetch(`${web}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const count = async (sql: string) => Number((await db.pool.query(sql, [tenant.id])).rows[0].n);
const written = () => count(`select count(*) as n from items where tenant_id = $1 and status = 'in_orcid'`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two web and three worker processes on one PostgreSQL', () => {
  it('ran the migrations once between them', async () => {
    const { rows } = await db.pool.query('select name from kysely_migration order by name');
    expect(rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS).sort());
  });

  it('a researcher signs in on one web process and connects on the other', async () => {
    for (let i = 0; i < PEOPLE; i++) {
      const username = `mp${i}`;
      await parts.directory.add(tenant.id, username, 'pw', {
        employeeId: `MP-${i}`,
        email: `${username}@many.example.edu`,
        givenNames: 'Many',
        familyName: `Person${i}`,
      });
      const { web } = await signInToPortal({ tenantUrl: `${webs[0]}/o/many` }, username);
      // The load balancer sends the next request to the other process: same site, same cookies.
      const [one, other] = webs.map((w) => new URL(w).host);
      web.jar.set(other!, new Map(web.jar.get(one!)));
      const { orcid } = await newResearcher(sb.base);
      const answer = await connectInPortal({ tenantUrl: `${webs[1]}/o/many` }, sb.base, web, orcid);
      expect(answer.status).toBe(303);
      expect((await web.get(`${webs[1]}/o/many/`)).text).toContain(orcid);
      orcids.push(orcid);
    }
  }, 60_000);

  it('with workers killed and PostgreSQL restarted mid-run, every item is written exactly once', async () => {
    // ORCID answers slowly: kills land between ORCID storing a write and the worker recording it.
    await fetch(`${sb.base}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        method: 'POST',
        pathPattern: '/(work|employment|keywords)$',
        rate: 1,
        latencyMs: 150,
      }),
    });
    for (let i = 0; i < ITEMS; i++) {
      const res = await api(
        webs[i % 2]!,
        'PUT',
        `/people/MP-${i % PEOPLE}/items/mp-${i}`,
        mixedItem('mp', i),
      );
      expect(res.status).toBe(200);
    }
    const workers = () => [...processes].filter((p) => p.spawnargs.includes('worker'));

    // Kill two workers once writing is under way; start one again.
    for (let i = 0; i < 200 && (await written()) < 20; i++) await sleep(50);
    const atFirstKill = await written();
    await kill(workers()[0]!);
    await kill(workers()[0]!);
    await start('worker');

    // PostgreSQL goes away for a few seconds.
    const atRestart = await written();
    await server.stop();
    const away = await fetch(`${webs[0]}/readyz`);
    expect(away.status).toBe(503);
    expect(await away.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' });
    const page = await fetch(`${webs[1]}/o/many/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('5');
    expect(await page.text()).toContain('Temporarily unavailable');
    const apiAway = await api(webs[0]!, 'GET', '/items/mp-0');
    expect(apiAway.status).toBe(503);
    expect(((await apiAway.json()) as { error: string }).error).toBe('unavailable');
    await sleep(2000);
    await server.start();

    // Every process finds it again by itself.
    for (const web of webs) {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = (await fetch(`${web}/readyz`).catch(() => ({ status: 0 }))).status;
        if (status !== 200) await sleep(100);
      }
      expect(status, web).toBe(200);
    }

    // Another worker killed later in the run, and started again; and a web process too, with
    // items stated through it just before (each answered 200 only once stored).
    for (let i = 0; i < 200 && (await written()) < atFirstKill + 60; i++) await sleep(50);
    const atSecondKill = await written();
    await kill(workers()[0]!);
    await start('worker');
    const secondWeb = [...processes].find((p) => webOf(p) === webPorts[1]);
    await kill(secondWeb!);
    await start('web', { LANYARD_PORT: String(webPorts[1]) });
    expect((await fetch(`${webs[1]}/readyz`)).status).toBe(200);
    expect((await api(webs[1]!, 'GET', '/items/mp-1')).status).toBe(200);

    const settled = () =>
      count(`select count(*) as n from items where tenant_id = $1 and status not in ('queued', 'retrying')`);
    for (let i = 0; i < 1200 && (await settled()) < ITEMS; i++) await sleep(100);
    const rows = (
      await db.pool.query(`select status, put_code, source_key from items where tenant_id = $1`, [tenant.id])
    ).rows as Array<{ status: string; put_code: string | null; source_key: string }>;
    expect(rows).toHaveLength(ITEMS);
    // Each interruption came while items were still being written.
    expect(
      [atFirstKill, atRestart, atSecondKill].every((n) => n < ITEMS),
      `${atFirstKill} ${atRestart} ${atSecondKill}`,
    ).toBe(true);
    expect(rows.filter((r) => r.status !== 'in_orcid' || r.put_code === null)).toEqual([]);
    expect(crashed).toEqual([]);

    // Each section's items are on the records once each, and their put codes are the stored ones.
    for (const section of ['work', 'employment', 'keywords']) {
      const onRecords: Array<{ putCode: number; name: string }> = [];
      for (const orcid of orcids)
        for (const x of await clientItems(sb.base, orcid, clientId, section))
          onRecords.push({ putCode: x.putCode, name: mixedItemName(section, x.json) });
      const stated = rows.filter((r) => mixedItem('mp', Number(r.source_key.slice(3))).section === section);
      expect(onRecords, section).toHaveLength(stated.length);
      expect(new Set(onRecords.map((w) => w.name)).size, section).toBe(stated.length);
      expect(new Set(stated.map((r) => Number(r.put_code))), section).toEqual(
        new Set(onRecords.map((w) => w.putCode)),
      );
    }
  }, 240_000);
});
