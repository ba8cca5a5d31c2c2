// SAML 2.0 sign-in against a test IdP that signs with its own key: a valid response signs the
// person in (attributes mapped); unsigned, stranger-signed, tampered, mis-addressed, expired,
// unsolicited and replayed responses are refused with the reason and nobody is signed in.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/db/tenant.repository.js';
import { launchChromium } from '../helpers/browser.js';
import { signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import {
  IDP_CERT,
  parseAuthnRequest,
  type ResponseOptions,
  samlResponse,
  startSamlIdp,
  type TestSamlIdp,
} from '../helpers/saml-idp.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let idp: TestSamlIdp;
let tenant: Tenant;
let url: string;

const ACCOUNT = {
  nameId: 'noether-1882',
  attributes: {
    'urn:oid:0.9.2342.19200300.100.1.3': 'emmy.noether@saml.example.edu',
    'urn:oid:2.5.4.42': 'Emmy',
    'urn:oid:2.5.4.4': 'Noether',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'enoether@saml.example.edu',
    'urn:oid:2.16.840.1.113730.3.1.3': 'G-1882',
  },
};

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base);
  idp = await startSamlIdp(ACCOUNT);
  tenant = await p.addTenant({
    slug: 'saml-uni',
    name: 'SAML University',
    signIn: {
      saml: {
        entryPoint: idp.ssoUrl,
        issuer: 'https://lanyard.example.edu/saml',
        idpCert: IDP_CERT,
        label: 'SAML University SSO',
      },
    },
  });
  url = `${p.base}/o/saml-uni`;
});
afterAll(async () => {
  await idp?.close();
  await p?.close();
  await sb?.close();
});

/** Starts a sign-in; returns the browser and our AuthnRequest as the IdP received it. */
async function startSignIn() {
  const web = new WebClient();
  const page = await web.get(`${url}/`);
  expect(page.text).toContain('Sign in with SAML University SSO');
  const res = await web.post(`${url}/signin/saml`, { _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  expect(res.location!.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
  const relayState = new URL(res.location!).searchParams.get('RelayState') ?? '';
  return { web, request: parseAuthnRequest(res.location!), relayState };
}

/** The IdP's POST to our ACS from `web`, and the redirect the browser then follows. */
async function post(web: WebClient, response: string, relayState = '') {
  const res = await web.post(`${url}/signin/saml/acs`, { SAMLResponse: response, RelayState: relayState });
  if (res.status !== 303) return res;
  expect(res.location).toMatch(/\/signin\/saml\/complete\?ticket=/);
  const done = await web.get(new URL(res.location!, p.base).toString());
  return done.status === 303 ? { ...done, status: 303 } : done;
}

const respond = (request: ReturnType<typeof parseAuthnRequest>, o: ResponseOptions = {}) =>
  samlResponse(idp.entityId, request, ACCOUNT.nameId, ACCOUNT.attributes, o);

const peopleCount = async () =>
  (await p.db.db.selectFrom('people').select('id').where('tenant_id', '=', tenant.id).execute()).length;

describe('SAML sign-in', () => {
  it('a response signed by the IdP signs the person in, with the attributes mapped', async () => {
    const { web, request, relayState } = await startSignIn();
    expect(relayState).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.acs).toBe(`${url}/signin/saml/acs`);
    expect(request.issuer).toBe('https://lanyard.example.edu/saml');
    const res = await post(web, respond(request), relayState);
    expect(res.status).toBe(303);
    expect((await web.get(`${url}/`)).text).toContain('Signed in as Emmy Noether');
    const person = await p.db.db
      .selectFrom('people')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({
      local_id: 'G-1882',
      email: 'emmy.noether@saml.example.edu',
      eppn: 'enoether@saml.example.edu',
      given_names: 'Emmy',
      family_name: 'Noether',
    });
    // The same response again: its request was answered already.
    const replay = await post(new WebClient(), respond(request), relayState);
    expect(replay.status).toBe(400);
  });

  it('a valid response posted from another browser (login CSRF) is refused there; nobody is signed in', async () => {
    const before = await peopleCount();
    for (const withRelayState of [true, false]) {
      // The attacker starts a sign-in in their own browser and gets the IdP's signed answer ...
      const attacker = await startSignIn();
      const response = respond(attacker.request);
      // ... and makes the victim's browser post it (with or without the attacker's RelayState).
      const relayState = withRelayState ? attacker.relayState : '';
      const victim = new WebClient();
      const page = await victim.get(`${url}/`);
      await victim.post(`${url}/signin/saml`, { _csrf: csrfOf(page.text) });
      const res = await post(victim, response, relayState);
      expect(res.status).toBe(400);
      expect(res.text).toContain('started in another browser');
      expect((await victim.get(`${url}/`)).text).not.toContain('Signed in as');
    }
    expect(await peopleCount()).toBe(before);
  });

  it.each([
    ['unsigned', { signer: 'none' }],
    ['signed by another key', { signer: 'other' }],
    ['changed after signing', { tamper: true }],
    ['for another audience', { audience: 'https://elsewhere.example.org/saml' }],
    ['expired', { notOnOrAfter: new Date(Date.now() - 5 * 60_000) }],
  ] as Array<[string, ResponseOptions]>)(
    'a response %s is refused; nobody is signed in',
    async (_name, o) => {
      const before = await peopleCount();
      const { web, request, relayState } = await startSignIn();
      const res = await post(web, respond(request, o), relayState);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Signing in did not work');
      expect(res.text).not.toContain('Signed in as');
      expect(await peopleCount()).toBe(before);
    },
  );

  it('an unsolicited response (no request of ours) is refused', async () => {
    const res = await post(
      new WebClient(),
      respond({ id: '_not-ours', acs: `${url}/signin/saml/acs`, issuer: 'https://lanyard.example.edu/saml' }),
    );
    expect(res.status).toBe(400);
  });
});

describe('SAML sign-in in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it('the IdP posts back across sites and the portal opens signed in', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${url}/`);
    await page.click('form[action$="/signin/saml"] button');
    await page.click('#idp-continue');
    await page.waitForSelector('#connect-orcid');
    expect(await page.textContent('main')).toContain('Signed in as Emmy Noether');
  });
});

describe('"Try sign-in" from the console', () => {
  it('runs the SAML sign-in for an administrator, shows who it names, and leaves them signed in as themselves', async () => {
    const trial = await p.addTenant({
      slug: 'saml-try',
      signIn: {
        demoDirectory: true,
        saml: { entryPoint: idp.ssoUrl, issuer: 'https://lanyard.example.edu/saml', idpCert: IDP_CERT },
      },
    });
    const tryUrl = `${p.base}/o/saml-try`;
    await p.container.repos.adminUsers.grant(trial.id, 'TRY-ADMIN', 'test');
    const admin = (
      await signInToPortal({ tenantUrl: tryUrl }, await p.addPerson({ employeeId: 'TRY-ADMIN' }, trial.id))
    ).web;
    const researcher = (await signInToPortal({ tenantUrl: tryUrl }, await p.addPerson({}, trial.id))).web;
    const settingsPage = await admin.get(`${tryUrl}/admin/settings/sign-in`);
    expect(settingsPage.text).toContain('id="try-saml"');

    // Not for someone who is not an administrator.
    const csrf = csrfOf((await researcher.get(`${tryUrl}/`)).text);
    expect((await researcher.post(`${tryUrl}/signin/saml`, { _csrf: csrf, trial: 'yes' })).status).toBe(403);

    const start = await admin.post(`${tryUrl}/signin/saml`, {
      _csrf: csrfOf(settingsPage.text),
      trial: 'yes',
    });
    expect(start.status).toBe(303);
    const request = parseAuthnRequest(start.location!);
    const relayState = new URL(start.location!).searchParams.get('RelayState') ?? '';
    const acs = await admin.post(`${tryUrl}/signin/saml/acs`, {
      SAMLResponse: respond(request),
      RelayState: relayState,
    });
    const done = await admin.get(new URL(acs.location!, p.base).toString());
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${tryUrl}/admin/settings/sign-in`);
    const shown = await admin.get(done.location!);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Sign-in works');
    expect(shown.text).toContain('the local id G-1882');
    // Nobody was signed in or created by the trial.
    expect(await p.container.repos.people.byLocalId(trial.id, 'G-1882')).toBeUndefined();
  });
});
