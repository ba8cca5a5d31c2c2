// Institutional sign-in through a real OpenID Provider (oidc-provider) in headless Chromium,
// then connecting the iD in the simulator's own pages; and the IdP's failures on a clear page.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/db/tenant.repository.js';
import { seriousA11yProblems } from '../helpers/axe.js';
import { launchChromium } from '../helpers/browser.js';
import { startOidcIdp, type TestIdp } from '../helpers/oidc-idp.js';
import { startPortal, type TestPortal } from '../helpers/portal.js';
import { newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let p: TestPortal;
let idp: TestIdp;
let browser: Browser;
let tenant: Tenant;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base);
  idp = await startOidcIdp([`${p.base}/o/oidc-uni/signin/oidc/callback`], {
    lmeitner: {
      email: 'Lise.Meitner@oidc.example.edu',
      email_verified: 'true',
      given_name: 'Lise',
      family_name: 'Meitner',
      employee_id: 'KWI-1878',
    },
    // Named by an email the IdP has not verified, and nothing else.
    mallory: { email: 'grace@oidc.example.edu', email_verified: 'false', given_name: 'Mallory' },
  });
  tenant = await p.addTenant({
    slug: 'oidc-uni',
    name: 'OIDC University',
    signIn: {
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        scope: 'openid email profile',
        label: 'OIDC University account',
      },
    },
    oidcClientSecret: idp.clientSecret,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await idp?.close();
  await p?.close();
  await sb?.close();
});

describe('institutional OIDC sign-in', () => {
  it('signs in at the IdP (code + PKCE), maps the claims to a person, then connects in the simulator UI', async () => {
    const researcher = await newResearcher(sb.base, { givenNames: 'Lise', familyNames: 'Meitner' });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${p.base}/o/oidc-uni/`);
    expect(await seriousA11yProblems(page)).toEqual([]);
    const idpRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(idp.issuer)) idpRequests.push(r.url());
    });
    await page.click('#oidc-signin');
    await page.waitForURL(`${idp.issuer}/**`);
    await page.fill('input[name="login"]', 'lmeitner');
    await page.fill('input[name="password"]', 'anything');
    await page.click('button[type="submit"]');
    // The IdP's consent page.
    await page.click('button[type="submit"]');
    await page.waitForSelector('#connect-orcid');
    expect(await page.textContent('main')).toContain('Signed in as Lise Meitner');
    const person = await p.db.db
      .selectFrom('people')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({
      local_id: 'KWI-1878',
      email: 'lise.meitner@oidc.example.edu',
      employee_id: 'KWI-1878',
    });

    // The authorize request used PKCE (S256), state and nonce.
    const q = new URL(idpRequests[0]!).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();

    await page.click('#connect-orcid');
    await page.waitForURL(`${sb.base}/**`);
    await page.fill('#username', researcher.email);
    await page.fill('#password', researcher.password);
    await page.click('#signin-button');
    await page.click('#authorize-button');
    await page.waitForSelector('#disconnect-orcid');
    expect(await page.textContent('a.orcid-id span')).toBe(`${sb.base}/${researcher.orcid}`);
  }, 60_000);

  it('an email the IdP has not verified is not an identity: refused with the reason, nobody signed in', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${p.base}/o/oidc-uni/`);
    await page.click('#oidc-signin');
    await page.waitForURL(`${idp.issuer}/**`);
    await page.fill('input[name="login"]', 'mallory');
    await page.fill('input[name="password"]', 'anything');
    await page.click('button[type="submit"]');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.problem');
    expect(await page.textContent('.problem')).toContain('did not confirm your email address');
    expect(await page.$('#connect-orcid')).toBeNull();
    const people = await p.db.db
      .selectFrom('people')
      .select('local_id')
      .where('tenant_id', '=', tenant.id)
      .where('email', '=', 'grace@oidc.example.edu')
      .execute();
    expect(people).toEqual([]);
  }, 30_000);

  it('a callback without a started sign-in, or an IdP error, ends on the sign-in page with the reason', async () => {
    const page = await (await browser.newContext()).newPage();
    const res = await page.goto(`${p.base}/o/oidc-uni/signin/oidc/callback?code=forged&state=forged`);
    expect(res?.status()).toBe(400);
    expect(await page.textContent('.problem')).toContain('Signing in did not work');
    expect(await page.$('#oidc-signin')).not.toBeNull();
  });
});
