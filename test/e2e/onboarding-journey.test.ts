// Self-service onboarding in Chromium, end to end: the operator signs in through the operators'
// identity provider (a real OpenID provider), creates an organisation and invites its
// administrator; the invitation arrives at a real SMTP receiver; the administrator accepts it,
// registers with the simulator using the values of the registration page, enters the credentials,
// passes "Test connection", configures OIDC sign-in against the institution's provider, and a
// researcher of the new organisation signs in there and connects their iD in the simulator's
// pages. axe checks every page on the way.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yProblems } from '../helpers/axe.js';
import { launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/demo-process.js';
import { startOidcIdp, type TestIdp } from '../helpers/oidc-idp.js';
import { startPortal, type TestPortal } from '../helpers/portal.js';
import { newClient, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';

let sb: TestSandbox;
let smtp: TestSmtp;
let idp: TestIdp;
let p: TestPortal;
let browser: Browser;
const tenantId = () => p.container.repos.tenants.bySlug('onboard-uni').then((t) => t!.id);

async function checkA11y(page: Page, name: string) {
  expect(await seriousA11yProblems(page), `axe on ${name}`).toEqual([]);
}

/** Signs in at the test IdP as `login` (its development login and consent pages). */
async function atIdp(page: Page, login: string) {
  await page.waitForURL(`${idp.issuer}/**`);
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'anything');
  await page.click('button[type="submit"]');
  await page.click('button[type="submit"]');
}

beforeAll(async () => {
  sb = await startTestSandbox();
  smtp = await startSmtp();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = await startOidcIdp(
    [`${base}/operator/sign-in/oidc/callback`, `${base}/o/onboard-uni/signin/oidc/callback`],
    {
      operator: { email: 'ops@lanyard.example', email_verified: 'true', given_name: 'Olga' },
      grace: {
        email: 'grace@onboard.example',
        email_verified: 'true',
        given_name: 'Grace',
        employee_id: 'OB-1',
      },
      lmeitner: {
        email: 'lise@onboard.example',
        email_verified: 'true',
        given_name: 'Lise',
        family_name: 'Meitner',
        employee_id: 'OB-1878',
      },
    },
  );
  p = await startPortal(sb.base, {
    port,
    worker: true,
    smtpUrl: smtp.url,
    configuredOperators: ['ops@lanyard.example'],
    operatorSignIn: { oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret } },
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await p?.close();
  await idp?.close();
  await smtp?.close();
  await sb?.close();
});

describe('onboarding a new organisation', () => {
  it('operator → organisation → administrator by mail → credentials, test, registration, OIDC → a researcher connects', async () => {
    // The operator, through the operators' identity provider.
    const ops = await (await browser.newContext()).newPage();
    const refused = await ops.goto(`${p.base}/operator/`);
    expect(refused?.status()).toBe(403);
    await checkA11y(ops, 'operator: not signed in');
    await ops.click('a[href="/operator/sign-in"]');
    await checkA11y(ops, 'operator sign-in');
    await ops.click('#operator-oidc');
    await atIdp(ops, 'operator');
    await ops.waitForSelector('#new-organisation');
    expect(await ops.textContent('nav.console-nav')).toContain('ops@lanyard.example');
    await checkA11y(ops, 'organisations');

    await ops.click('#new-organisation');
    await checkA11y(ops, 'new organisation');
    await ops.fill('#name', 'Onboard University');
    await ops.fill('#slug', 'onboard-uni');
    await ops.selectOption('#environment', 'local');
    await ops.fill('#supportContact', 'orcid@onboard.example');
    await ops.fill('#adminEmail', 'grace@onboard.example');
    await ops.click('#create-organisation');
    await ops.waitForSelector('#flash');
    expect(await ops.textContent('#flash')).toContain('grace@onboard.example');
    expect(await ops.textContent('#credentials')).toBe('Not entered yet');
    await checkA11y(ops, 'organisation (operator)');

    // The invitation, at the SMTP receiver.
    await until(
      () => smtp.messages.some((m) => m.to.includes('grace@onboard.example')),
      'the invitation mail',
    );
    const mail = smtp.messages.find((m) => m.to.includes('grace@onboard.example'))!;
    expect(mail.text).toContain('Onboard University');
    const link = /https?:\/\/\S+\/welcome\/[\w-]+/.exec(mail.text)![0];

    // The administrator accepts, and lands on the settings.
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(link);
    await checkA11y(admin, 'invitation');
    await admin.click('#accept-invitation');
    await admin.waitForSelector('#save-orcid');
    expect(await admin.textContent('#flash')).toContain('you are an administrator');
    await checkA11y(admin, 'settings (new organisation)');

    // The registration values, then registering the client with the simulator (ORCID's form).
    await admin.goto(`${p.base}/o/onboard-uni/admin/settings/registration`);
    await checkA11y(admin, 'registration values');
    const redirectUri = await admin.inputValue('#reg-redirect-0');
    expect(redirectUri).toBe(`${p.base}/o/onboard-uni/orcid/callback`);
    const name = await admin.inputValue('#reg-name');
    const client = await newClient(sb.base, { name, redirectUris: [redirectUri] });

    // A wrong secret first: Test connection says what ORCID answered.
    await admin.goto(`${p.base}/o/onboard-uni/admin/settings`);
    await admin.fill('#clientId', client.clientId);
    await admin.fill('#clientSecret', 'not-the-secret');
    await admin.click('#save-orcid');
    await admin.waitForSelector('#flash');
    await admin.click('#test-connection');
    await admin.waitForSelector('#problem');
    expect(await admin.textContent('#problem')).toContain('Client authentication failed');
    await admin.fill('#clientSecret', client.clientSecret);
    await admin.click('#save-orcid');
    await admin.waitForSelector('#flash');
    // The page still shows the save's notice until the test's answer replaces it.
    await admin.click('#test-connection');
    await admin.locator('#flash', { hasText: 'ORCID accepted the credentials' }).waitFor();
    await checkA11y(admin, 'settings after Test connection');

    // Institutional sign-in against the organisation's OpenID provider.
    await admin.goto(`${p.base}/o/onboard-uni/admin/settings/sign-in`);
    await checkA11y(admin, 'sign-in settings');
    expect(await admin.inputValue('#oidc-redirect')).toBe(`${p.base}/o/onboard-uni/signin/oidc/callback`);
    // The IdP's SAML metadata may come from a file: it is read into the text box.
    await admin.setInputFiles('#samlMetadataFile', {
      name: 'idp.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from('<EntityDescriptor entityID="https://idp.onboard.example"/>'),
    });
    await admin.waitForFunction(
      // biome-ignore lint/suspicious/noExplicitAny: the page's document
      () => (globalThis as any).document.getElementById('samlMetadata').value !== '',
    );
    expect(await admin.inputValue('#samlMetadata')).toContain('https://idp.onboard.example');
    await admin.fill('#oidcIssuer', idp.issuer);
    await admin.fill('#oidcClientId', idp.clientId);
    await admin.fill('#oidcClientSecret', idp.clientSecret);
    await admin.fill('#oidcLabel', 'Onboard account');
    await admin.click('#save-oidc');
    await admin.waitForSelector('#flash');
    // "Try sign-in": the provider's answer is shown, and the administrator stays who they are.
    await admin.click('#try-oidc');
    await atIdp(admin, 'lmeitner');
    await admin.waitForSelector('#flash');
    expect(await admin.textContent('#flash')).toContain('the local id OB-1878');
    await checkA11y(admin, 'sign-in settings after Try sign-in');
    expect(await p.container.repos.people.byLocalId(await tenantId(), 'OB-1878')).toBeUndefined();

    // A researcher of the new organisation signs in there and connects in the simulator's pages.
    const researcher = await newResearcher(sb.base, { givenNames: 'Lise', familyNames: 'Meitner' });
    const lise = await (await browser.newContext()).newPage();
    await lise.goto(`${p.base}/o/onboard-uni/`);
    await checkA11y(lise, 'portal sign-in (new organisation)');
    await lise.click('#oidc-signin');
    await atIdp(lise, 'lmeitner');
    await lise.waitForSelector('#connect-orcid');
    await checkA11y(lise, 'portal (new organisation)');
    await lise.click('#connect-orcid');
    await lise.waitForURL(`${sb.base}/**`);
    await lise.fill('#username', researcher.email);
    await lise.fill('#password', researcher.password);
    await lise.click('#signin-button');
    await lise.click('#authorize-button');
    await lise.waitForSelector('#disconnect-orcid');
    expect(await lise.textContent('a.orcid-id span')).toBe(`${sb.base}/${researcher.orcid}`);
    await checkA11y(lise, 'connected (new organisation)');

    // The invited administrator, now signing in through the organisation's provider (which names
    // her by her employee id), is still its administrator: the invitation was to her address.
    const grace = await (await browser.newContext()).newPage();
    await grace.goto(`${p.base}/o/onboard-uni/`);
    await grace.click('#oidc-signin');
    await atIdp(grace, 'grace');
    await grace.waitForSelector('#connect-orcid');
    expect((await grace.goto(`${p.base}/o/onboard-uni/admin/people`))?.status()).toBe(200);

    // The operator sees the organisation's health change.
    await ops.goto(`${p.base}/operator/`);
    const row = await ops.textContent('tr[data-slug="onboard-uni"]');
    expect(row).toContain('Valid at the last test');
    await ops.goto(`${p.base}/operator/health`);
    await checkA11y(ops, 'installation health');
    expect(await ops.textContent('#database')).toBe('OK');
  }, 120_000);

  it('an operator address the provider does not know as an operator is refused', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${p.base}/operator/sign-in`);
    await page.click('#operator-oidc');
    await atIdp(page, 'grace');
    await page.waitForSelector('#problem');
    expect(await page.textContent('#problem')).toContain('not an operator');
    expect((await page.goto(`${p.base}/operator/`))?.status()).toBe(403);
  }, 60_000);
});
