// A tenant changed with `lanyard tenant update` is seen by a running web process and a running
// worker process within a second: the change is announced when it commits (LISTEN/NOTIFY), and
// each process drops its copy of the tenant at once; nothing waits out a cache's lifetime.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container } from '../../src/app/container.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { createLogger } from '../../src/logger.js';
import { lanyard } from '../helpers/cli.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/demo-process.js';
import { tenantInput } from '../helpers/fixtures.js';
import { spawnRole } from '../helpers/role-process.js';

let db: TestDatabase;
const ring = new KeyRing([{ id: 'tc', key: randomBytes(32) }]);
const roles = new Set<ChildProcess>();
let env: Record<string, string>;

async function serve(role: 'web' | 'worker', onLine: (line: string) => void): Promise<ChildProcess> {
  const child = await spawnRole(role, { ...env, LOG_LEVEL: role === 'worker' ? 'debug' : 'silent' }, onLine);
  roles.add(child);
  child.once('exit', () => roles.delete(child));
  return child;
}

beforeAll(async () => {
  db = await freshDatabase();
  const port = await freePort();
  env = {
    DATABASE_URL: db.url,
    LANYARD_KEYS: ring.format(),
    LANYARD_PORT: String(port),
    LANYARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LANYARD_LOCAL_ORCID_URL: 'http://127.0.0.1:9',
  };
}, 30_000);
afterAll(async () => {
  for (const r of roles) r.kill('SIGKILL');
  await db?.drop();
});

describe('a tenant changed from the CLI', () => {
  it('is seen by a running web process and a running worker within a second', async () => {
    const c = new Container({ database: db, ring, logger: createLogger('silent'), localOrcidUrl: '' });
    const tenant = await c.repos.tenants.create(
      tenantInput(1, 'secret', {
        slug: 'notice-uni',
        name: 'Notice University',
        signIn: { demoDirectory: true },
      }),
    );
    const heard: Array<{ at: number; tenantId: string | null }> = [];
    await Promise.all([
      serve('web', () => {}),
      serve('worker', (line) => {
        if (line.includes('"tenant changed"'))
          heard.push({
            at: Date.now(),
            tenantId: (JSON.parse(line) as { tenantId: string | null }).tenantId,
          });
      }),
    ]);
    const page = `${env.LANYARD_PUBLIC_URL}/o/notice-uni/`;
    expect(await (await fetch(page)).text()).toContain('Notice University');

    const update = await lanyard(['tenant', 'update', 'notice-uni', '--name', 'Renamed University'], env);
    expect(update.code, update.out).toBe(0);
    const done = Date.now();
    let seenAfter = Number.POSITIVE_INFINITY;
    while (Date.now() - done < 3000) {
      if ((await (await fetch(page)).text()).includes('Renamed University')) {
        seenAfter = Date.now() - done;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seenAfter).toBeLessThan(1000);
    const worker = heard.find((h) => h.tenantId === tenant.id);
    expect(worker, 'the worker heard of the change').toBeDefined();
    expect(worker!.at - done).toBeLessThan(1000);
  }, 60_000);
});
