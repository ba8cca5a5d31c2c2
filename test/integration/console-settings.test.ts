// The organisation's settings in the console: the ORCID credentials (the secret write-only and
// sealed), the scopes, the name and support contact, saved through the same code as `lanyard
// tenant update` (every problem listed at once, nothing changed when there is one); "Test
// connection" against the simulator with ORCID's answer in words; and the values for ORCID's
// client registration form.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanyard } from '../helpers/cli.js';
import { signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { newResearcher, orcidAnswers, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let settings: string;

const tenantRow = async () => (await p.container.repos.tenants.bySlug(p.tenant.slug))!;
const audits = async () =>
  (
    await p.db.pool.query<{ action: string; details: Record<string, unknown> }>(
      `select action, details from audit_log where tenant_id = $1 and action like 'tenant.%' order by created_at`,
      [p.tenant.id],
    )
  ).rows;

async function postOrcid(form: Record<string, string | string[]>) {
  const page = await admin.get(settings);
  const body = new URLSearchParams({ _csrf: csrfOf(page.text) });
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
  return admin.post(`${settings}/orcid`, body);
}

const valid = () => ({
  environment: 'local',
  apiType: 'member',
  clientId: p.client.clientId,
  scopes: ['/read-limited', '/activities/update', '/person/update'],
});

async function testConnection() {
  const page = await admin.get(settings);
  const res = await admin.post(`${settings}/test`, { _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  return (await admin.get(res.location!)).text;
}

beforeAll(async () => {
  sb = await startTestSandbox();
  // Loopback is allowed for the IdP metadata served by this test; private ranges stay refused.
  p = await startPortal(sb.base, { tenant: { slug: 'settings-uni' }, outboundAllow: ['127.0.0.1/32'] });
  settings = `${p.tenantUrl}/admin/settings`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'ST-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'ST-ADMIN' }))).web;
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

describe('the settings page', () => {
  it('shows the credentials and scopes in words, never the client secret', async () => {
    const page = await admin.get(settings);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${p.client.clientId}"`);
    expect(page.text).toContain('Add or update your research activities');
    expect(page.text).not.toContain(p.client.clientSecret);
    expect(page.text).toContain('id="clientSecret" name="clientSecret" type="password" value=""');
  });

  it('refuses wrong values with every problem listed, and changes nothing', async () => {
    const before = await tenantRow();
    const res = await postOrcid({
      environment: 'production',
      apiType: 'member',
      clientId: 'nope',
      scopes: [],
    });
    expect(res.status).toBe(422);
    const problems = [...res.text.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]!);
    expect(problems).toEqual(
      expect.arrayContaining([
        'scopes: choose at least one',
        expect.stringContaining('clientId: an ORCID client id'),
        'redirectUri: must be https in the production environment',
      ]),
    );
    expect(await tenantRow()).toEqual(before);
    expect(await audits()).toEqual([]);
  });

  it('refuses production while the redirect URI is http, even with every other value right', async () => {
    const res = await postOrcid({ ...valid(), environment: 'production' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('redirectUri: must be https in the production environment');
    expect((await tenantRow()).orcid_environment).toBe('local');
  });

  it('saves a new secret sealed and write-only; a wrong one fails Test connection with ORCID’s answer', async () => {
    const saved = await postOrcid({ ...valid(), clientSecret: 'not-the-secret' });
    expect(saved.status).toBe(303);
    expect(await p.container.repos.tenants.clientSecret(p.tenant.id)).toBe('not-the-secret');
    const { rows } = await p.db.pool.query<{ client_secret_sealed: string }>(
      'select client_secret_sealed from tenants where id = $1',
      [p.tenant.id],
    );
    expect(rows[0]!.client_secret_sealed).not.toContain('not-the-secret');
    const failed = await testConnection();
    expect(failed).toContain('ORCID did not accept the client id and secret');
    expect(failed).toContain('invalid_client');
    expect(failed).toContain('Client authentication failed');
    expect(failed).not.toContain('not-the-secret');

    expect((await postOrcid({ ...valid(), clientSecret: p.client.clientSecret })).status).toBe(303);
    const ok = await testConnection();
    expect(ok).toContain('ORCID accepted the credentials');
    expect((await audits()).map((a) => [a.action, a.details])).toEqual([
      ['tenant.settings_changed', { settings: ['client secret'] }],
      ['tenant.connection_tested', expect.objectContaining({ ok: false, reason: 'credentials' })],
      ['tenant.settings_changed', { settings: ['client secret'] }],
      ['tenant.connection_tested', { ok: true }],
    ]);
  });

  it('the name and support contact; the same problem from the console and from the CLI', async () => {
    const page = await admin.get(settings);
    const res = await admin.post(`${settings}/organisation`, {
      _csrf: csrfOf(page.text),
      name: 'Settings University',
      supportContact: 'x',
    });
    expect(res.status).toBe(422);
    const webProblem = /<li>(supportContact: [^<]+)<\/li>/.exec(res.text)![1]!;
    const cli = await lanyard(['tenant', 'update', p.tenant.slug, '--support-contact', 'x'], {
      DATABASE_URL: p.db.url,
      LANYARD_KEYS: p.ring.format(),
    });
    expect(cli.code).toBe(2);
    const unescaped = webProblem.replaceAll('&gt;', '>').replaceAll('&lt;', '<').replaceAll('&#39;', "'");
    expect(cli.out).toContain(`  - ${unescaped}`);
    expect((await tenantRow()).name).toBe('Test University');

    const good = await admin.post(`${settings}/organisation`, {
      _csrf: csrfOf(page.text),
      name: 'Settings University',
      supportContact: 'orcid-help@settings.example',
    });
    expect(good.status).toBe(303);
    expect((await tenantRow()).name).toBe('Settings University');
  });

  it("lists the values for ORCID's registration form, each with a copy button", async () => {
    const page = await admin.get(`${settings}/registration`);
    expect(page.status).toBe(200);
    for (const value of [
      'Settings University',
      `${p.base}/o/${p.tenant.slug}/`,
      `${p.base}/o/${p.tenant.slug}/orcid/callback`,
    ])
      expect(page.text).toContain(`readonly="" value="${value}"`);
    expect(page.text.match(/data-copy=/g)!.length).toBe(4);
    expect(page.text).toContain('/assets/copy-buttons.js');
    expect((await admin.get(`${p.base}/assets/copy-buttons.js`)).status).toBe(200);
  });

  it('makes an API key shown once, lists it with its last use, and revokes it: the API refuses it', async () => {
    const keys = `${settings}/api-keys`;
    const page = await admin.get(keys);
    const made = await admin.post(keys, { _csrf: csrfOf(page.text), name: 'HR feed' });
    expect(made.status).toBe(200);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const key = /id="made-key" type="text" readonly="" value="(lk_[\w-]+)"/.exec(made.text)![1]!;
    const call = (k: string) =>
      fetch(`${p.base}/api/v1/people`, { headers: { authorization: `Bearer ${k}` } });
    expect((await call(key)).status).toBe(200);
    const listed = await admin.get(keys);
    expect(listed.text).not.toContain(key);
    expect(listed.text).toContain(`<code>${key.slice(0, 10)}…</code>`);
    expect(listed.text).not.toMatch(/<td>never<\/td>/);
    const id = /<tr data-key="([\w-]+)">/.exec(listed.text)![1]!;
    const revoked = await admin.post(`${keys}/${id}/revoke`, { _csrf: csrfOf(listed.text) });
    expect(revoked.status).toBe(303);
    expect((await call(key)).status).toBe(401);
    expect((await admin.post(`${keys}/${id}/revoke`, { _csrf: csrfOf(listed.text) })).status).toBe(404);
    const { rows } = await p.db.pool.query<{ action: string; actor: string }>(
      `select action, actor from audit_log where tenant_id = $1 and action like 'api_key.%' order by created_at`,
      [p.tenant.id],
    );
    expect(rows).toEqual([
      { action: 'api_key.created', actor: 'admin:ST-ADMIN' },
      { action: 'api_key.revoked', actor: 'admin:ST-ADMIN' },
    ]);
    const dump = JSON.stringify(
      (await p.db.pool.query('select * from audit_log where tenant_id = $1', [p.tenant.id])).rows,
    );
    expect(dump).not.toContain(key);
  });

  it('institutional sign-in: our SAML metadata, the IdP read from its metadata, OIDC with a sealed secret', async () => {
    const signIn = `${settings}/sign-in`;
    const metadata = await fetch(`${p.tenantUrl}/signin/saml/metadata`);
    expect(metadata.status).toBe(200);
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${p.base}/o/${p.tenant.slug}"`);
    expect(xml).toContain(`Location="${p.base}/o/${p.tenant.slug}/signin/saml/acs"`);

    const page = await admin.get(signIn);
    expect(page.text).toContain(`value="${p.base}/o/${p.tenant.slug}/signin/oidc/callback"`);
    const post = (path: string, form: Record<string, string>) =>
      admin.post(`${signIn}/${path}`, { _csrf: csrfOf(page.text), ...form });

    const broken = await post('saml', {
      samlEntityId: 'https://lanyard.example/uni',
      samlMetadata: '<nope/>',
    });
    expect(broken.status).toBe(422);
    expect(broken.text).toContain('samlMetadata: the metadata describes no identity provider');
    const idp = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.edu">
      <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
        <KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIBszCCAVmgAwIBAgIUTESTCERTIFICATE</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>
        <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.edu/sso"/>
      </IDPSSODescriptor></EntityDescriptor>`;
    expect(
      (await post('saml', { samlEntityId: 'https://lanyard.example/uni', samlMetadata: idp })).status,
    ).toBe(303);
    expect((await tenantRow()).sign_in.saml).toMatchObject({
      entryPoint: 'https://idp.example.edu/sso',
      idpCert: 'MIIBszCCAVmgAwIBAgIUTESTCERTIFICATE',
      issuer: 'https://lanyard.example/uni',
    });

    // The IdP's metadata read from its address: a private one is refused, an error answer named.
    const served = createServer((req, res) => {
      if (req.url === '/metadata')
        res
          .writeHead(200, { 'content-type': 'application/samlmetadata+xml' })
          .end(idp.replace('https://idp.example.edu/sso', 'https://idp.example.edu/sso-from-url'));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => served.listen(0, '127.0.0.1', r));
    const at = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
    try {
      const privateUrl = await post('saml', {
        samlEntityId: 'https://lanyard.example/uni',
        samlMetadataFrom: 'http://10.0.0.5/md',
      });
      expect(privateUrl.status).toBe(422);
      expect(privateUrl.text).toContain('samlMetadataFrom: 10.0.0.5 resolves to 10.0.0.5, a private address');
      const missing = await post('saml', {
        samlEntityId: 'https://lanyard.example/uni',
        samlMetadataFrom: `${at}/nothing`,
      });
      expect(missing.status).toBe(422);
      expect(missing.text).toContain('answered HTTP 404');
      expect((await tenantRow()).sign_in.saml?.entryPoint).toBe('https://idp.example.edu/sso');
      const fromUrl = await post('saml', {
        samlEntityId: 'https://lanyard.example/uni',
        samlMetadataFrom: `${at}/metadata`,
      });
      expect(fromUrl.status).toBe(303);
      expect((await tenantRow()).sign_in.saml?.entryPoint).toBe('https://idp.example.edu/sso-from-url');
    } finally {
      served.close();
    }

    const bad = await post('oidc', { oidcIssuer: 'not a url', oidcClientId: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/signIn\.oidc\.issuer: /);
    expect(bad.text).toMatch(/signIn\.oidc\.clientId: /);
    const ok = await post('oidc', {
      oidcIssuer: 'https://idp.example.edu/oidc',
      oidcClientId: 'lanyard',
      oidcClientSecret: 'oidc-secret-0451',
    });
    expect(ok.status).toBe(303);
    const t = await tenantRow();
    expect(t.sign_in.oidc).toMatchObject({ issuer: 'https://idp.example.edu/oidc', clientId: 'lanyard' });
    expect(t.sign_in.saml?.entryPoint).toBe('https://idp.example.edu/sso-from-url');
    expect(await p.container.repos.tenants.oidcClientSecret(p.tenant.id)).toBe('oidc-secret-0451');
    expect((await admin.get(signIn)).text).not.toContain('oidc-secret-0451');
    expect((await audits()).slice(-3).map((a) => a.details)).toEqual([
      { settings: ['signIn'] },
      { settings: ['signIn'] },
      { settings: ['signIn', 'OIDC client secret'] },
    ]);
  });

  it('the portal texts per language and the synchronisation settings, every problem listed', async () => {
    const page = await admin.get(settings);
    const form = {
      _csrf: csrfOf(page.text),
      why_es: 'Para mantener su registro al día.',
      use_en: '',
      deny_en: 'Without it, HR keeps your affiliation up to date by hand: write to hr@test.example.edu.',
      employmentOnConnect: 'yes',
      reconcileEveryDays: '0',
      reconcileShare: '5',
    };
    const bad = await admin.post(`${settings}/portal`, form);
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/sync\.reconcileEveryDays: /);
    expect(bad.text).toMatch(/sync\.reconcileShare: /);
    expect(bad.text).toContain('Para mantener su registro al día.');
    expect((await tenantRow()).portal_texts).toEqual({});

    const good = await admin.post(`${settings}/portal`, {
      ...form,
      reconcileEveryDays: '3',
      reconcileShare: '0.5',
    });
    expect(good.status).toBe(303);
    const t = await tenantRow();
    expect(t.portal_texts).toEqual({
      es: { why: 'Para mantener su registro al día.' },
      en: { deny: 'Without it, HR keeps your affiliation up to date by hand: write to hr@test.example.edu.' },
    });
    expect(t.employment_on_connect).toBe(true);
    expect(t.sync_settings).toMatchObject({
      reconcileEveryDays: 3,
      reconcileShare: 0.5,
      followOrcidName: false,
    });
    const portal = await signInToPortal(p, await p.addPerson({ employeeId: 'ST-RES' }));
    expect((await portal.web.get(`${p.tenantUrl}/?lang=es`)).text).toContain(
      'Para mantener su registro al día.',
    );
    // The organisation's own words after a denial at ORCID (English: no Spanish one was written).
    const home = await portal.web.get(`${p.tenantUrl}/?lang=en`);
    const start = await portal.web.post(`${p.tenantUrl}/connect`, { _csrf: csrfOf(home.text) });
    const researcher = await newResearcher(sb.base);
    const denied = await portal.web.get(
      await orcidAnswers(sb.base, new URL(start.location!), researcher.orcid, true),
    );
    expect(denied.text).toContain('data-problem="denied"');
    expect(denied.text).toContain('HR keeps your affiliation up to date by hand');
    expect((await audits()).at(-1)!.details).toEqual({
      settings: ['portalTexts', 'employmentOnConnect', 'sync'],
    });
  });

  it('corrects the organisation identity without a rename: every problem listed, then saved and audited', async () => {
    const orgUrl = `${p.tenantUrl}/admin/organisation`;
    const form = {
      name: 'Test University of Wellington',
      city: 'Wellington',
      region: '',
      country: 'XX',
      disambiguatedId: 'https://ror.org/0040r6f76',
      disambiguationSource: '',
    };
    const before = await tenantRow();
    const bad = await admin.post(`${orgUrl}/identity`, {
      _csrf: csrfOf((await admin.get(orgUrl)).text),
      ...form,
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('country: an ISO 3166 two-letter country code');
    expect(bad.text).toContain('disambiguationSource: the identifier and its source go together');
    expect((await tenantRow()).org_name).toBe(before.org_name);

    const good = await admin.post(`${orgUrl}/identity`, {
      _csrf: csrfOf((await admin.get(orgUrl)).text),
      ...form,
      country: 'nz',
      disambiguationSource: 'ROR',
    });
    expect(good.status).toBe(303);
    expect((await admin.get(orgUrl)).text).toContain('affiliations written from now on use it');
    expect(await tenantRow()).toMatchObject({
      org_name: 'Test University of Wellington',
      org_city: 'Wellington',
      org_region: null,
      org_country: 'NZ',
      org_disambiguation_source: 'ROR',
    });
    expect((await audits()).at(-1)!.details).toEqual({ settings: ['org'] });
  });

  it('event endpoints: refused targets listed, the secret shown once, removal audited', async () => {
    const url = `${p.tenantUrl}/admin/settings/events`;
    const csrf = async () => csrfOf((await admin.get(url)).text);
    const loopback = await admin.post(url, {
      _csrf: await csrf(),
      url: 'http://10.1.2.3/events',
      types: 'person.connected',
    });
    expect(loopback.status).toBe(422);
    expect(loopback.text).toContain('a private address');
    expect(loopback.text).toContain('value="http://10.1.2.3/events"');
    expect(await p.container.events.endpoints(p.tenant.id)).toEqual([]);

    const made = await admin.post(
      url,
      new URLSearchParams([
        ['_csrf', await csrf()],
        ['url', 'https://8.8.8.8/lanyard-events'],
        ['description', 'CRIS'],
        ['types', 'person.connected'],
        ['types', 'record.changed'],
      ]),
    );
    expect(made.status).toBe(200);
    const secret = /id="made-secret" type="text" readonly="" value="([^"]+)"/.exec(made.text)?.[1];
    expect(secret).toMatch(/^whsec_/);
    const [endpoint] = await p.container.events.endpoints(p.tenant.id);
    expect(endpoint).toMatchObject({
      url: 'https://8.8.8.8/lanyard-events',
      eventTypes: ['person.connected', 'record.changed'],
    });
    const later = await admin.get(url);
    expect(later.text).toContain('https://8.8.8.8/lanyard-events');
    expect(later.text).not.toContain(secret!);

    // Another organisation's endpoint id is not found here.
    const other = await p.addTenant({ slug: 'st-other' });
    const foreign = await p.container.events.addEndpoint(other, { url: 'https://8.8.4.4/x', eventTypes: [] });
    expect((await admin.post(`${url}/${foreign.id}/remove`, { _csrf: await csrf() })).status).toBe(404);
    expect(await p.container.events.endpoints(other.id)).toHaveLength(1);

    expect((await admin.post(`${url}/${endpoint!.id}/remove`, { _csrf: await csrf() })).status).toBe(303);
    expect(await p.container.events.endpoints(p.tenant.id)).toEqual([]);
    const log = await p.db.pool.query(
      `select action from audit_log where tenant_id = $1 and action like 'event_endpoint.%' order by created_at`,
      [p.tenant.id],
    );
    expect(log.rows.map((r) => r.action)).toEqual(['event_endpoint.added', 'event_endpoint.removed']);
  });
});
