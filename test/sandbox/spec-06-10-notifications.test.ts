// SPEC 6.10: permission notifications. A premium member client posts a permission request to a
// researcher's ORCID inbox with a client-credentials /premium-notification token; the researcher
// reads it in the registry's inbox, where "Grant permissions" leads to the authorization URL.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  clientCredentials,
  control,
  newClient,
  newResearcher,
  researcherState,
  signIn,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };
let token: string;

const notification = (over: Record<string, unknown> = {}) => ({
  'notification-type': 'permission',
  'authorization-url': {
    uri: `https://orcid.org/oauth/authorize?client_id=${client.clientId}&response_type=code&scope=/activities/update&redirect_uri=https://client.example.org/orcid&state=abc`,
  },
  'notification-subject': 'your affiliation',
  'notification-intro': 'Test University would like to add your employment.',
  items: { item: [{ 'item-type': 'employment', 'item-name': 'Lecturer at Test University' }] },
  ...over,
});

const url = (orcid: string, putCode?: number | string) =>
  `${sb.api}/v3.0/${orcid}/notification-permission${putCode === undefined ? '' : `/${putCode}`}`;

const post = (orcid: string, body: unknown, t = token, contentType?: string) =>
  call(url(orcid), { method: 'POST', token: t, body, ...(contentType ? { contentType } : {}) });

const putCodeOf = (location: string | null) => Number(/\/(\d+)$/.exec(location ?? '')![1]);

beforeAll(async () => {
  sb = await startTestSandbox();
  client = await newClient(sb.base, { premium: true, name: 'Test University' });
  token = (await clientCredentials(sb.base, client, '/premium-notification')).access_token;
});
afterAll(() => sb.close());

describe('POST /v3.0/{orcid}/notification-permission', () => {
  it('puts the request in the inbox: 201 with its Location, readable by its source', async () => {
    const { orcid } = await newResearcher(sb.base);
    const res = await post(orcid, notification());
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toMatch(new RegExp(`/v3.0/${orcid}/notification-permission/\\d+$`));
    const putCode = putCodeOf(res.headers.get('location'));
    const read = await call(url(orcid, putCode), { token });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      'notification-type': 'permission',
      'notification-subject': 'your affiliation',
      'put-code': putCode,
      'read-date': null,
      'archived-date': null,
      source: { 'source-client-id': { path: client.clientId }, 'source-name': { value: 'Test University' } },
    });
    expect(read.json['created-date'].value).toEqual(expect.any(Number));
    const list = await call(url(orcid), { token });
    expect(list.json.notification.map((n: { 'put-code': number }) => n['put-code'])).toEqual([putCode]);
    const [inbox] = (await researcherState(sb.base, orcid)).inbox;
    expect(inbox).toMatchObject({ putCode, clientId: client.clientId, subject: 'your affiliation' });
  });

  it("accepts ORCID's XML sample, and answers in XML when asked", async () => {
    const { orcid } = await newResearcher(sb.base);
    const xml = readFileSync(
      'vendor/orcid-model/notification_3.0/samples/notification-permission-3.0.xml',
      'utf8',
    );
    const res = await post(orcid, xml, token, 'application/vnd.orcid+xml');
    expect(res.status).toBe(201);
    const read = await call(url(orcid, putCodeOf(res.headers.get('location'))), {
      token,
      accept: 'application/vnd.orcid+xml',
    });
    expect(read.status).toBe(200);
    expect(read.text).toContain(
      '<notification:item-name>A Really Interesting Research Article</notification:item-name>',
    );
    // The sample's own source and dates are ORCID's to set: the simulator's replace them.
    expect(read.text).toContain(`<common:path>${client.clientId}</common:path>`);
    expect(read.text).not.toContain('Member 1');
  });

  it('refuses a request without items, subject or authorization URL, or with a long intro (400 / 9020)', async () => {
    const { orcid } = await newResearcher(sb.base);
    for (const bad of [
      notification({ items: { item: [] } }),
      notification({ 'notification-subject': '' }),
      notification({ 'authorization-url': {} }),
      notification({ 'notification-intro': 'x'.repeat(1001) }),
      notification({ items: { item: [{ 'item-type': 'keyword', 'item-name': 'x' }] } }),
    ]) {
      const res = await post(orcid, bad);
      expect(res.status).toBe(400);
      expect(res.json['error-code']).toBe(9020);
    }
    expect((await researcherState(sb.base, orcid)).inbox).toEqual([]);
  });

  it("refuses when the researcher does not accept organisations' requests (409 / 9032)", async () => {
    const { orcid } = await newResearcher(sb.base);
    await control(sb.base, 'POST', `/researchers/${orcid}/preferences`, { memberRequests: false });
    const res = await post(orcid, notification());
    expect(res.status).toBe(409);
    expect(res.json['error-code']).toBe(9032);
    expect(res.json['user-message']).toContain(orcid);
  });

  it('needs a client-credentials token with /premium-notification, which only premium clients get', async () => {
    const { orcid } = await newResearcher(sb.base);
    const webhookToken = (await clientCredentials(sb.base, client, '/webhook')).access_token;
    expect((await post(orcid, notification(), webhookToken)).status).toBe(403);
    const personal = await threeLegged(sb.base, client, orcid);
    expect((await post(orcid, notification(), personal.access_token)).status).toBe(403);
    const basic = await newClient(sb.base, { premium: false });
    const refused = await fetch(`${sb.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: basic.clientId,
        client_secret: basic.clientSecret,
        grant_type: 'client_credentials',
        scope: '/premium-notification',
      }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_scope');
    expect((await researcherState(sb.base, orcid)).inbox).toEqual([]);
  });
});

describe('GET and DELETE /v3.0/{orcid}/notification-permission/{put code}', () => {
  it("another client cannot read a client's request (403); an unknown one is 404 / 9029", async () => {
    const { orcid } = await newResearcher(sb.base);
    const putCode = putCodeOf((await post(orcid, notification())).headers.get('location'));
    const other = await newClient(sb.base, { premium: true, name: 'Other' });
    const otherToken = (await clientCredentials(sb.base, other, '/premium-notification')).access_token;
    expect((await call(url(orcid, putCode), { token: otherToken })).status).toBe(403);
    expect((await call(url(orcid), { token: otherToken })).json.notification).toEqual([]);
    const unknown = await call(url(orcid, 999_999), { token });
    expect(unknown.status).toBe(404);
    expect(unknown.json['error-code']).toBe(9029);
  });

  it('DELETE archives an unread request; once the researcher read it, 403 / 9009', async () => {
    const { orcid, email, password } = await newResearcher(sb.base);
    const first = putCodeOf((await post(orcid, notification())).headers.get('location'));
    const archived = await call(url(orcid, first), { method: 'DELETE', token });
    expect(archived.status).toBe(200);
    expect(archived.json['archived-date'].value).toEqual(expect.any(Number));

    const second = putCodeOf((await post(orcid, notification())).headers.get('location'));
    const cookie = await signIn(sb.base, email, password);
    expect((await fetch(`${sb.base}/inbox/${second}`, { headers: { cookie } })).status).toBe(200);
    const refused = await call(url(orcid, second), { method: 'DELETE', token });
    expect(refused.status).toBe(403);
    expect(refused.json['error-code']).toBe(9009);
    expect((await call(url(orcid, second), { token })).json['read-date'].value).toEqual(expect.any(Number));
  });
});

describe('the inbox in the registry', () => {
  it('lists the request; opening it marks it read; "Grant permissions" leads to its authorization URL on the registry', async () => {
    const { orcid, email, password } = await newResearcher(sb.base);
    const putCode = putCodeOf((await post(orcid, notification())).headers.get('location'));
    const cookie = await signIn(sb.base, email, password);
    const list = await (await fetch(`${sb.base}/inbox`, { headers: { cookie } })).text();
    expect(list).toContain('your affiliation');
    expect(list).toContain('Test University');
    expect(list).toContain('unread');
    const page = await (await fetch(`${sb.base}/inbox/${putCode}`, { headers: { cookie } })).text();
    expect(page).toContain('Lecturer at Test University');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const grant = await fetch(`${sb.base}/inbox/${putCode}/grant`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: 'manual',
    });
    expect(grant.status).toBe(303);
    const target = new URL(grant.headers.get('location')!);
    expect(target.origin).toBe(new URL(sb.base).origin);
    expect(target.pathname).toBe('/oauth/authorize');
    expect(target.searchParams.get('client_id')).toBe(client.clientId);
    expect(target.searchParams.get('state')).toBe('abc');
    const [entry] = (await researcherState(sb.base, orcid)).inbox;
    expect(entry!.readAt).toEqual(expect.any(Number));
    expect(entry!.actionedAt).toEqual(expect.any(Number));
    expect(entry!.grantUrl).toBe(target.href);
  });

  it('the account preference turns requests off, and another researcher cannot open the request', async () => {
    const owner = await newResearcher(sb.base);
    const putCode = putCodeOf((await post(owner.orcid, notification())).headers.get('location'));
    const stranger = await newResearcher(sb.base);
    const strangerCookie = await signIn(sb.base, stranger.email, stranger.password);
    expect((await fetch(`${sb.base}/inbox/${putCode}`, { headers: { cookie: strangerCookie } })).status).toBe(
      404,
    );

    const cookie = await signIn(sb.base, owner.email, owner.password);
    const account = await (await fetch(`${sb.base}/account`, { headers: { cookie } })).text();
    expect(account).toContain('name="member_requests"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(account)![1]!;
    const saved = await fetch(`${sb.base}/account/preferences`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: 'manual',
    });
    expect(saved.status).toBe(303);
    expect((await researcherState(sb.base, owner.orcid)).memberRequests).toBe(false);
    expect((await post(owner.orcid, notification())).status).toBe(409);
  });
});
