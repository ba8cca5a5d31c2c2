// The simulator's registry pages walked in headless Chromium: sign in, consent, deny,
// registration, revoking a trusted organisation, deleting an item (which fires the webhook).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isValidOrcid } from '../../src/sandbox/ids.js';
import { launchChromium } from '../helpers/browser.js';
import {
  call,
  clientCredentials,
  control,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let browser: Browser;
let page: Page;
let app: Server;
let appBase: string;
const hooks: string[] = [];
let client: { clientId: string; clientSecret: string };

beforeAll(async () => {
  // The client application: its OAuth callback and its webhook receiver.
  app = createServer((req, res) => {
    if (req.method === 'POST') hooks.push(req.url ?? '');
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>Client app</title><p>back at the client</p>');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  sb = await startTestSandbox();
  client = await control(sb.base, 'POST', '/clients', {
    name: 'Wakanda University',
    description: 'Connects your ORCID record to the Wakanda research portal.',
    type: 'member',
    premium: true,
    redirectUris: [`${appBase}/orcid`],
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await sb?.close();
  await new Promise((r) => app.close(r));
});
beforeEach(async () => {
  const context = await browser.newContext();
  page = await context.newPage();
});

const authorizeUrl = (params: Record<string, string> = {}) =>
  `${sb.base}/oauth/authorize?${new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: '/read-limited /activities/update',
    redirect_uri: `${appBase}/orcid/callback`,
    state: 'abc',
    ...params,
  })}`;

async function signIn(login: string, password: string) {
  await page.fill('#username', login);
  await page.fill('#password', password);
  await page.click('#signin-button');
}

describe('Registry UI in Chromium', () => {
  it('sign in by email, consent screen with the client and scopes in words, Authorize returns a code', async () => {
    const r = await newResearcher(sb.base, { givenNames: 'Nakia', familyNames: 'Okoye' });
    await page.goto(authorizeUrl());
    expect(page.url()).toContain('/signin');
    await signIn(r.email, r.password);
    await expect(page.textContent('h1')).resolves.toContain('Wakanda University');
    const body = (await page.textContent('main'))!;
    expect(body).toContain('Connects your ORCID record to the Wakanda research portal.');
    expect(body).toContain('Read your information with visibility set to Trusted Organizations');
    expect(body).toContain('Add or update your research activities');
    await page.click('#authorize-button');
    await page.waitForURL(/\/orcid\/callback/);
    const url = new URL(page.url());
    expect(url.searchParams.get('code')).toMatch(/^[0-9a-zA-Z]{6}$/);
    expect(url.searchParams.get('state')).toBe('abc');
  });

  it('sign in by iD; Deny returns access_denied', async () => {
    const r = await newResearcher(sb.base);
    await page.goto(authorizeUrl({ orcid: r.orcid }));
    expect(await page.inputValue('#username')).toBe(r.orcid);
    await signIn(r.orcid, r.password);
    await page.click('#deny-button');
    await page.waitForURL(/\/orcid\/callback/);
    const url = new URL(page.url());
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('abc');
  });

  it('a wrong password shows an error and keeps the researcher on the sign-in page', async () => {
    const r = await newResearcher(sb.base);
    await page.goto(`${sb.base}/signin`);
    await signIn(r.email, 'wrong password');
    expect(await page.textContent('[role=alert]')).toContain('wrong');
  });

  it('registration from show_login=false with prefilled names, in Spanish, then consent', async () => {
    await page.goto(
      authorizeUrl({
        show_login: 'false',
        given_names: 'Shuri',
        family_names: 'Udaku',
        email: 'shuri@example.org',
        lang: 'es',
      }),
    );
    expect(page.url()).toContain('/register');
    expect(await page.inputValue('#given_names')).toBe('Shuri');
    expect(await page.inputValue('#family_names')).toBe('Udaku');
    expect(await page.inputValue('#email')).toBe('shuri@example.org');
    expect(await page.textContent('h1')).toBe('Cree su iD ORCID');
    await page.fill('#reg-password', 'vibranium-2026');
    await page.click('#register-button');
    expect(await page.textContent('#authorize-button')).toBe('Autorizar acceso');
    await page.click('#authorize-button');
    await page.waitForURL(/\/orcid\/callback/);
    const state = await control<{ researchers: Array<{ orcid: string; email: string }> }>(
      sb.base,
      'GET',
      '/state',
    );
    const created = state.researchers.find((x) => x.email === 'shuri@example.org')!;
    expect(isValidOrcid(created.orcid)).toBe(true);
  });

  it('prompt=login asks for the password again even when signed in', async () => {
    const r = await newResearcher(sb.base);
    await page.goto(`${sb.base}/signin`);
    await signIn(r.email, r.password);
    await page.waitForURL(/\/my-orcid/);
    await page.goto(authorizeUrl({ prompt: 'login' }));
    expect(page.url()).toContain('/signin');
    await signIn(r.email, r.password);
    expect(await page.isVisible('#authorize-button')).toBe(true);
  });

  it('revoking a trusted organisation in account settings disables its tokens', async () => {
    const r = await newResearcher(sb.base);
    await page.goto(authorizeUrl());
    await signIn(r.email, r.password);
    await page.click('#authorize-button');
    await page.waitForURL(/\/orcid\/callback/);
    const code = new URL(page.url()).searchParams.get('code')!;
    const token = (await (
      await fetch(`${sb.base}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: client.clientId,
          client_secret: client.clientSecret,
          grant_type: 'authorization_code',
          code,
        }).toString(),
      })
    ).json()) as { access_token: string };
    expect((await call(`${sb.api}/v3.0/${r.orcid}/works`, { token: token.access_token })).status).toBe(200);
    await page.goto(`${sb.base}/account`);
    expect(await page.textContent('main')).toContain('Wakanda University');
    await page.click('button[aria-label="Revoke access: Wakanda University"]');
    expect(await page.textContent('main')).not.toContain('Wakanda University');
    expect((await call(`${sb.api}/v3.0/${r.orcid}/works`, { token: token.access_token })).status).toBe(401);
  });

  it('deleting an item on the record page removes it and fires the webhook', async () => {
    const r = await newResearcher(sb.base);
    const { access_token: hook } = await clientCredentials(sb.base, client, '/webhook');
    const { putCode } = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'astrophysics' },
    });
    const callback = `${appBase}/hooks/${r.orcid}`;
    expect(
      (
        await call(`${sb.api}/${r.orcid}/webhook/${encodeURIComponent(callback)}`, {
          method: 'PUT',
          token: hook,
        })
      ).status,
    ).toBe(201);
    await page.goto(`${sb.base}/signin`);
    await signIn(r.email, r.password);
    await page.waitForURL(/\/my-orcid/);
    expect(await page.textContent('main')).toContain('astrophysics');
    hooks.length = 0;
    await page.click('button[aria-label="Delete: astrophysics"]');
    await page.waitForURL(/\/my-orcid/);
    expect(await page.textContent('main')).not.toContain('astrophysics');
    const state = await control<{ researchers: Array<{ orcid: string; items: Array<{ putCode: number }> }> }>(
      sb.base,
      'GET',
      '/state',
    );
    expect(state.researchers.find((x) => x.orcid === r.orcid)!.items.map((i) => i.putCode)).not.toContain(
      putCode,
    );
    for (let i = 0; i < 100 && !hooks.includes(`/hooks/${r.orcid}`); i++)
      await new Promise((res) => setTimeout(res, 50));
    expect(hooks).toContain(`/hooks/${r.orcid}`);
  });

  it("changing an item's visibility on the record page is seen by the API", async () => {
    const r = await newResearcher(sb.base);
    const { putCode } = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'volcanology' },
    });
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/keywords/${putCode}`)).status).toBe(200);
    await page.goto(`${sb.base}/signin`);
    await signIn(r.email, r.password);
    await page.waitForURL(/\/my-orcid/);
    await page.selectOption(`#vis-${putCode}`, 'private');
    await page.click(`[data-put-code="${putCode}"] form[action$="/visibility"] button`);
    await page.waitForURL(/\/my-orcid/);
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/keywords/${putCode}`)).json['error-code']).toBe(9039);
  });
});
