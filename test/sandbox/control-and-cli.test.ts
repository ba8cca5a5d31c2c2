// The control API contract, the `lanyard sandbox` command (seed, snapshot, readiness line) and
// the registry's plain pages (sign-out status, public record, content negotiation).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  control,
  newClient,
  newResearcher,
  signIn,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());

describe('Control API: refusals name the problem', () => {
  it('bad bodies are 400 with the field; conflicts are 409; unknown records 404', async () => {
    await expect(
      control(sb.base, 'POST', '/clients', { name: 'x', type: 'robot', redirectUris: [] }),
    ).rejects.toThrow(/400.*type/);
    await expect(
      control(sb.base, 'POST', '/clients', { name: 'x', type: 'member', redirectUris: ['not a url'] }),
    ).rejects.toThrow(/400.*not an absolute URL/);
    await expect(
      control(sb.base, 'POST', '/clients', {
        name: 'x',
        type: 'member',
        redirectUris: [],
        clientId: 'APP-1',
      }),
    ).rejects.toThrow(/400.*APP-/);
    await expect(
      control(sb.base, 'POST', '/researchers', {
        email: 'e@example.org',
        password: 'p',
        givenNames: 'A',
        familyNames: 'B',
        orcid: '0000-0002-1825-0098',
      }),
    ).rejects.toThrow(/400.*checksum/);
    const r = await newResearcher(sb.base);
    await expect(
      control(sb.base, 'POST', '/researchers', {
        email: r.email,
        password: 'p',
        givenNames: 'A',
        familyNames: 'B',
      }),
    ).rejects.toThrow(/409/);
    await expect(
      control(sb.base, 'POST', '/researchers/0000-0002-1694-233X/state', { state: 'locked' }),
    ).rejects.toThrow(/404/);
    await expect(
      control(sb.base, 'POST', `/researchers/${r.orcid}/state`, { state: 'deprecated' }),
    ).rejects.toThrow(/primary/);
    await expect(
      control(sb.base, 'POST', `/researchers/${r.orcid}/items`, { section: 'poems', item: {} }),
    ).rejects.toThrow(/unknown section/);
    await expect(
      control(sb.base, 'POST', `/researchers/${r.orcid}/items`, { section: 'work', item: { type: 'book' } }),
    ).rejects.toThrow(/400/);
    await expect(
      control(sb.base, 'POST', '/authorize', {
        orcid: r.orcid,
        clientId: 'APP-0000000000000000',
        scope: '/authenticate',
        redirectUri: 'https://x',
      }),
    ).rejects.toThrow(/400.*client_id/);
  });

  it('researchers can be created with a chosen iD and get new checksummed ones otherwise', async () => {
    const { orcid } = await control<{ orcid: string }>(sb.base, 'POST', '/researchers', {
      email: 'chosen@example.org',
      password: 'p',
      givenNames: 'Chosen',
      familyNames: 'One',
      orcid: '0000-0001-5109-3700',
    });
    expect(orcid).toBe('0000-0001-5109-3700');
  });

  it('state lists researchers with items and tokens; reset empties everything', async () => {
    const s = await startTestSandbox();
    try {
      const c = await newClient(s.base);
      const r = await newResearcher(s.base);
      await threeLegged(s.base, c, r.orcid);
      await control(s.base, 'POST', `/researchers/${r.orcid}/items`, {
        section: 'keywords',
        item: { content: 'x' },
      });
      const state = await control<{
        researchers: Array<{ orcid: string; items: unknown[]; tokens: unknown[] }>;
        requestCounts: Record<string, number>;
      }>(s.base, 'GET', '/state');
      expect(state.researchers[0]!.items).toHaveLength(1);
      expect(state.researchers[0]!.tokens).toHaveLength(1);
      expect(state.requestCounts['POST /oauth/token']).toBe(1);
      await control(s.base, 'POST', '/reset');
      const empty = await control<{ researchers: unknown[]; clients: unknown[] }>(s.base, 'GET', '/state');
      expect(empty.researchers).toEqual([]);
      expect(empty.clients).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('Registry pages', () => {
  it('userStatus.json reports and ends the session; the public record page shows public items only', async () => {
    const r = await newResearcher(sb.base, { givenNames: 'Mae', familyNames: 'Jemison' });
    await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'spaceflight' },
    });
    await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'hidden-topic' },
      visibility: 'private',
    });
    const cookie = await signIn(sb.base, r.email, r.password);
    expect(await (await fetch(`${sb.base}/userStatus.json`, { headers: { cookie } })).json()).toEqual({
      loggedIn: true,
    });
    expect(
      await (await fetch(`${sb.base}/userStatus.json?logUserOut=true`, { headers: { cookie } })).json(),
    ).toEqual({ loggedIn: false });
    expect(await (await fetch(`${sb.base}/userStatus.json`, { headers: { cookie } })).json()).toEqual({
      loggedIn: false,
    });

    const page = await (await fetch(`${sb.base}/${r.orcid}`)).text();
    expect(page).toContain('Mae Jemison');
    expect(page).toContain('spaceflight');
    expect(page).not.toContain('hidden-topic');
    const negotiated = await fetch(`${sb.base}/${r.orcid}`, {
      headers: { accept: 'application/orcid+json' },
      redirect: 'manual',
    });
    expect(negotiated.headers.get('location')).toBe(`${sb.pub}/v3.0/${r.orcid}`);
  });

  it('a researcher cannot edit an item an organisation wrote (only hide or delete it)', async () => {
    const c = await newClient(sb.base);
    const r = await newResearcher(sb.base);
    const t = await threeLegged(sb.base, c, r.orcid);
    const created = await call(`${sb.api}/v3.0/${r.orcid}/keywords`, {
      method: 'POST',
      token: t.access_token,
      body: { content: 'org-keyword' },
    });
    const pc = created.headers.get('location')!.split('/').pop();
    const cookie = await signIn(sb.base, r.email, r.password);
    const page = await (await fetch(`${sb.base}/my-orcid`, { headers: { cookie } })).text();
    expect(page).not.toContain(`/my-orcid/items/${pc}/edit`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    await fetch(`${sb.base}/my-orcid/items/${pc}/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf, json: JSON.stringify({ content: 'changed' }) }).toString(),
      redirect: 'manual',
    });
    expect(
      (await call(`${sb.api}/v3.0/${r.orcid}/keywords/${pc}`, { token: t.access_token })).json.content,
    ).toBe('org-keyword');
    const noCsrf = await fetch(`${sb.base}/my-orcid/items/${pc}/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: '',
      redirect: 'manual',
    });
    expect(noCsrf.status).toBe(403);
  });
});

describe('lanyard sandbox (the command)', () => {
  const start = (args: string[]): Promise<{ child: ChildProcess; base: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/main.ts', 'sandbox', '--port', '0', ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^ORCID sandbox listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (m) resolve({ child, base: m[1]! });
      });
      child.stderr!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
  const stop = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });

  it('prints the readiness line, loads the seed, and keeps state in the snapshot across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    const seed = join(dir, 'seed.json');
    const snapshot = join(dir, 'state.json');
    writeFileSync(
      seed,
      JSON.stringify({
        clients: [
          {
            name: 'Seeded',
            type: 'member',
            redirectUris: ['https://seeded.example.org'],
            clientId: 'APP-SEEDED0000000001',
            clientSecret: 's',
          },
        ],
        researchers: [
          {
            email: 'seed@example.org',
            password: 'pw',
            givenNames: 'Seed',
            familyNames: 'Ling',
            orcid: '0000-0002-1825-0097',
          },
        ],
      }),
    );
    const first = await start(['--control', '--seed', seed, '--snapshot', snapshot]);
    try {
      const state = await control<{
        clients: Array<{ clientId: string }>;
        researchers: Array<{ orcid: string }>;
      }>(first.base, 'GET', '/state');
      expect(state.clients.map((c) => c.clientId)).toEqual(['APP-SEEDED0000000001']);
      await control(first.base, 'POST', '/researchers/0000-0002-1825-0097/items', {
        section: 'keywords',
        item: { content: 'persisted' },
      });
    } finally {
      await stop(first.child);
    }
    const second = await start(['--control', '--snapshot', snapshot]);
    try {
      const record = await call(`${second.base}/pub/v3.0/0000-0002-1825-0097/keywords`);
      expect(record.json.keyword.map((k: { content: string }) => k.content)).toEqual(['persisted']);
    } finally {
      await stop(second.child);
    }
  });

  it('without --control there is no control API; a bad port is refused with a message', async () => {
    const { child, base } = await start([]);
    try {
      expect((await fetch(`${base}/__sandbox/state`)).status).toBe(404);
    } finally {
      await stop(child);
    }
    await expect(start(['--port', 'ninety'])).rejects.toThrow(/port/);
  });

  // The running demo is walked in Chromium by test/e2e/demo-journey.test.ts.
  it('the demo (npm start) refuses a bad setting and lists every problem', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'demo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '', LANYARD_SANDBOX_PORT: 'ninety', LOG_LEVEL: 'loud' },
    });
    let err = '';
    bad.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/Invalid configuration/);
    expect(err).toMatch(/LANYARD_SANDBOX_PORT/);
    expect(err).toMatch(/LOG_LEVEL/);
  });
});
