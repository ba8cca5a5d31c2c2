// Abuse limits and anonymous requests: sign-in attempts are limited per account and per client
// address (a forged X-Forwarded-For changes nothing unless LANYARD_TRUST_PROXY says so), API calls
// per key, each with a clear 429; an anonymous visitor's page views write no session row, and a
// busy API key's last use is written at most once a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type TestPortal } from '../helpers/portal.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let byAccount: TestPortal;
let byAddress: TestPortal;

beforeAll(async () => {
  sb = await startTestSandbox();
  byAccount = await startPortal(sb.base, {
    limits: { signInPerAccount: 5, signInPerAddress: 1000, apiPerKey: 5 },
  });
  byAddress = await startPortal(sb.base, { limits: { signInPerAccount: 1000, signInPerAddress: 6 } });
});
afterAll(async () => {
  await byAccount?.close();
  await byAddress?.close();
  await sb?.close();
});

async function attempt(
  p: TestPortal,
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  const web = new WebClient();
  const page = await web.get(`${p.tenantUrl}/`);
  return web.post(
    `${p.tenantUrl}/signin/directory`,
    { _csrf: csrfOf(page.text), username, password },
    headers,
  );
}

const sessions = async (p: TestPortal) =>
  Number((await p.db.pool.query('select count(*) from sessions')).rows[0].count);

describe('sign-in limits', () => {
  it('after the account’s limit of wrong passwords even the right one is refused with 429, for a while', async () => {
    const user = await byAccount.addPerson();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await attempt(byAccount, user, 'wrong')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const right = await attempt(byAccount, user, 'pw');
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many attempts');
    expect(right.headers.get('retry-after')).toBeTruthy();
    // Another account from the same address is not held back by this one.
    expect((await attempt(byAccount, await byAccount.addPerson(), 'pw')).status).toBe(303);
  });

  it('the address’s limit holds across accounts, and a forged X-Forwarded-For does not reset it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(byAddress, `nobody-${i}`, 'x')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const forged = await attempt(byAddress, await byAddress.addPerson(), 'pw', {
      'x-forwarded-for': '203.0.113.9',
    });
    expect(forged.status).toBe(429);
  });
});

describe('API limits', () => {
  it('a key past its limit gets 429 with a JSON body; another key is unaffected', async () => {
    const keys = byAccount.container.repos.apiKeys;
    const [a, b] = [
      (await keys.create(byAccount.tenant.id, 'a')).key,
      (await keys.create(byAccount.tenant.id, 'b')).key,
    ];
    const get = (key: string) =>
      fetch(`${byAccount.base}/api/v1/items/none`, { headers: { authorization: `Bearer ${key}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(a)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
    const limited = await get(a);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    expect((await get(b)).status).toBe(404);
  });
});

describe('anonymous requests', () => {
  it('page views without a cookie write no session row; a form post still works', async () => {
    const before = await sessions(byAddress);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${byAddress.tenantUrl}/`);
      expect(res.status).toBe(200);
    }
    const web = new WebClient();
    await web.get(`${byAddress.tenantUrl}/`);
    await web.get(`${byAddress.tenantUrl}/?lang=fr`);
    expect(await sessions(byAddress)).toBe(before);
  });

  it('a key used many times within a minute has its last use written once', async () => {
    const p = byAddress;
    const { key, id } = await p.container.repos.apiKeys.create(p.tenant.id, 'busy');
    const lastUse = async () =>
      (await p.db.pool.query('select last_used_at from api_keys where id = $1', [id])).rows[0]
        .last_used_at as Date;
    await fetch(`${p.base}/api/v1/items/none`, { headers: { authorization: `Bearer ${key}` } });
    const first = await lastUse();
    expect(first).toBeInstanceOf(Date);
    for (let i = 0; i < 5; i++)
      await fetch(`${p.base}/api/v1/items/none`, { headers: { authorization: `Bearer ${key}` } });
    expect((await lastUse()).getTime()).toBe(first.getTime());
  });
});
