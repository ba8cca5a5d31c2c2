// The ORCID client against the simulator over real HTTP: OAuth, every section written and read
// in JSON and XML, every error class, duplicate recovery, and retries under fault rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../lib/orcid-model/codec.js';
import { sharedModel } from '../../lib/orcid-model/orcid-model.js';
import { OrcidApi, type WireFormat } from '../../src/orcid/api.js';
import { orcidEnvironment } from '../../src/orcid/environments.js';
import { OrcidError } from '../../src/orcid/errors.js';
import { OrcidOAuth } from '../../src/orcid/oauth.js';
import { type CallRecord, OrcidTransport, type TransportOptions } from '../../src/orcid/transport.js';
import {
  control,
  newClient,
  newResearcher,
  REDIRECT,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };
const calls: CallRecord[] = [];
const recorder = { record: async (c: CallRecord) => void calls.push(c) };
const fast: TransportOptions = { baseDelayMs: 5, maxDelayMs: 50, recorder };

beforeAll(async () => {
  sb = await startTestSandbox();
  client = await newClient(sb.base, { name: 'Client Test University' });
});
afterAll(() => sb.close());

function clientFor(format: WireFormat = 'json', options: TransportOptions = fast) {
  const env = orcidEnvironment('local', sb.base);
  const transport = new OrcidTransport(options);
  return {
    transport,
    oauth: new OrcidOAuth(env, client, transport),
    api: new OrcidApi(env, transport, { clientId: client.clientId, apiType: 'member', format }),
  };
}

/** A researcher who approved the client: the code comes from the simulator's headless authorize. */
async function connect(scope = '/read-limited /activities/update /person/update openid', nonce = 'n-0') {
  const r = await newResearcher(sb.base, { givenNames: 'Ada', familyNames: 'Byron' });
  const { oauth } = clientFor();
  const { location } = await control<{ location: string }>(sb.base, 'POST', '/authorize', {
    orcid: r.orcid,
    clientId: client.clientId,
    scope,
    redirectUri: REDIRECT,
    nonce,
  });
  const tokens = await oauth.exchangeCode(new URL(location).searchParams.get('code')!, REDIRECT);
  return { ...r, tokens };
}

const sample = (file: string) =>
  JSON.parse(
    readFileSync(join(sharedModel().dir, 'record_3.0/samples/write_samples', file), 'utf8'),
  ) as JsonObject;

const SECTION_SAMPLES: Array<[string, string]> = [
  ['work', 'work-full-3.0.json'],
  ['funding', 'funding-3.0-simple.json'],
  ['employment', 'employment-3.0.json'],
  ['education', 'education-3.0.json'],
  ['qualification', 'qualification-3.0.json'],
  ['invited-position', 'invited-position-3.0.json'],
  ['distinction', 'distinction-3.0.json'],
  ['membership', 'membership-3.0.json'],
  ['service', 'service-3.0.json'],
  ['peer-review', 'peer-review-simple-3.0.json'],
  ['research-resource', 'research-resource-3.0.json'],
  ['researcher-urls', 'researcher-url-3.0.json'],
  ['keywords', 'keywords-3.0.json'],
  ['other-names', 'other-names-3.0.json'],
  ['external-identifiers', 'external-identifier-3.0.json'],
  ['address', 'address-3.0.json'],
];

describe('OAuth', () => {
  it('builds the authorize URL with every parameter', () => {
    const { oauth } = clientFor();
    const url = new URL(
      oauth.authorizeUrl({
        scope: '/read-limited /activities/update',
        redirectUri: REDIRECT,
        state: 'st',
        nonce: 'no',
        prompt: 'login',
        email: 'a@example.org',
        orcid: '0000-0002-1825-0097',
        givenNames: 'Ada',
        familyNames: 'Byron',
        lang: 'es',
        showLogin: false,
      }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(`${sb.base}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: client.clientId,
      response_type: 'code',
      scope: '/read-limited /activities/update',
      redirect_uri: REDIRECT,
      state: 'st',
      nonce: 'no',
      prompt: 'login',
      email: 'a@example.org',
      orcid: '0000-0002-1825-0097',
      given_names: 'Ada',
      family_names: 'Byron',
      lang: 'es',
      show_login: 'false',
    });
    expect(url.search).toContain('scope=%2Fread-limited%20%2Factivities%2Fupdate');
  });

  it('exchanges a code for the full token response and verifies the id_token', async () => {
    const r = await connect(undefined, 'nonce-1');
    expect(r.tokens).toMatchObject({ token_type: 'bearer', orcid: r.orcid, name: 'Ada Byron' });
    expect(r.tokens.refresh_token).toEqual(expect.any(String));
    const { oauth } = clientFor();
    const claims = await oauth.verifyIdToken(r.tokens.id_token!, {
      nonce: 'nonce-1',
      accessToken: r.tokens.access_token,
    });
    expect(claims.sub).toBe(r.orcid);
    await expect(oauth.verifyIdToken(r.tokens.id_token!, { nonce: 'other' })).rejects.toThrow(/nonce/);
    const [h, p, s] = r.tokens.id_token!.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: '0000-0001-5109-3700' }),
    ).toString('base64url');
    await expect(oauth.verifyIdToken(`${h}.${forged}.${s}`)).rejects.toThrow(/bad signature/);
    await expect(
      oauth.verifyIdToken(r.tokens.id_token!, { now: Date.now() + 2 * 86400_000 }),
    ).rejects.toThrow(/expired/);
  });

  it('refreshes, gets client-credential tokens and revokes', async () => {
    const r = await connect();
    const { oauth, api } = clientFor();
    const refreshed = await oauth.refresh(r.tokens.refresh_token!, {
      scope: '/read-limited',
      revokeOld: false,
    });
    expect(refreshed.scope).toBe('/read-limited');
    expect(refreshed.orcid).toBe(r.orcid);
    const cc = await oauth.clientCredentials('/read-public');
    expect(cc.orcid).toBeNull();
    await oauth.revoke(refreshed.access_token);
    const e = await api.record(refreshed.access_token, r.orcid).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OrcidError);
    expect((e as OrcidError).kind).toBe('revoked');
    expect((e as OrcidError).itemStatus).toBe('revoked');
  });

  it('token endpoint errors are OAuth errors and are not retried', async () => {
    const { oauth } = clientFor();
    const before = calls.length;
    const e = (await oauth.exchangeCode('zzzzzz', REDIRECT).catch((x: unknown) => x)) as OrcidError;
    expect(e.kind).toBe('oauth');
    expect(e.details.oauthError).toBe('invalid_grant');
    expect(calls.length - before).toBe(1);
  });
});

describe.each(['json', 'xml'] as const)('API in %s', (format) => {
  it.each(SECTION_SAMPLES)('%s: create, read, update, delete', async (section, file) => {
    const r = await connect();
    const { api } = clientFor(format);
    const item = sample(file);
    const putCode = await api.create(r.tokens.access_token, r.orcid, section, item);
    expect(putCode).toBeGreaterThan(0);
    const read = await api.item(r.tokens.access_token, r.orcid, section, putCode);
    expect(read['put-code']).toBe(putCode);
    expect((read.source as JsonObject)['source-client-id']).toMatchObject({ path: client.clientId });
    const list = await api.section(r.tokens.access_token, r.orcid, section);
    expect(JSON.stringify(list)).toContain(`"put-code":${putCode}`);
    const {
      'put-code': _pc,
      source: _s,
      path: _p,
      'created-date': _c,
      'last-modified-date': _l,
      ...editable
    } = read;
    const updated = await api.update(r.tokens.access_token, r.orcid, section, putCode, editable);
    expect(updated['put-code']).toBe(putCode);
    await api.delete(r.tokens.access_token, r.orcid, section, putCode);
    const gone = (await api
      .item(r.tokens.access_token, r.orcid, section, putCode)
      .catch((x: unknown) => x)) as OrcidError;
    expect(gone.kind).toBe('not_found');
    expect(gone.itemStatus).toBe('deleted_by_researcher');
  });

  it('bulk works: 100 per call, per-item errors, put codes kept', async () => {
    const r = await connect();
    const { api } = clientFor(format);
    const works = Array.from({ length: 150 }, (_, i) => ({
      title: { title: { value: `Bulk ${i}` } },
      type: 'journal-article',
      'external-ids': {
        'external-id': [
          {
            'external-id-type': 'doi',
            'external-id-value': `10.42/${i % 149}`,
            'external-id-relationship': 'self',
          },
        ],
      },
    }));
    const results = await api.createWorks(r.tokens.access_token, r.orcid, works);
    expect(results).toHaveLength(150);
    const errors = results.filter((x): x is { error: OrcidError } => 'error' in x);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error.kind).toBe('duplicate');
    expect(errors[0]!.error.details.existingPutCode).toBe((results[0] as { putCode: number }).putCode);
  });
});

describe('error classes', () => {
  it('409 duplicate: createOrAdopt takes the existing put code; findOwnItem finds it by external id', async () => {
    const r = await connect();
    const { api } = clientFor();
    const work = sample('work-full-3.0.json');
    const first = await api.createOrAdopt(r.tokens.access_token, r.orcid, 'work', work);
    const second = await api.createOrAdopt(r.tokens.access_token, r.orcid, 'work', work);
    expect(second).toEqual({ putCode: first.putCode, adopted: true });
    expect(await api.findOwnItem(r.tokens.access_token, r.orcid, 'work', work)).toBe(first.putCode);
    const kw = await api.createOrAdopt(r.tokens.access_token, r.orcid, 'keywords', { content: 'Oceans' });
    expect(await api.findOwnItem(r.tokens.access_token, r.orcid, 'keywords', { content: 'oceans' })).toBe(
      kw.putCode,
    );
  });

  it("400 invalid with ORCID's message, not retried; 403 not source; deprecated record with the primary iD", async () => {
    const r = await connect();
    const { api } = clientFor();
    const before = calls.length;
    const bad = (await api
      .create(r.tokens.access_token, r.orcid, 'work', { ...sample('work-full-3.0.json'), type: 'poem' })
      .catch((x: unknown) => x)) as OrcidError;
    expect([bad.kind, bad.itemStatus, bad.details.errorCode]).toEqual(['invalid', 'invalid', 9037]);
    expect(bad.details.developerMessage).toContain('Invalid work type');
    expect(calls.length - before).toBe(1);

    const { putCode } = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'keywords',
      item: { content: 'mine' },
    });
    const notSource = (await api
      .delete(r.tokens.access_token, r.orcid, 'keywords', putCode)
      .catch((x: unknown) => x)) as OrcidError;
    expect([notSource.kind, notSource.details.errorCode]).toEqual(['forbidden', 9010]);

    const primary = await newResearcher(sb.base);
    await control(sb.base, 'POST', `/researchers/${r.orcid}/state`, {
      state: 'deprecated',
      primary: primary.orcid,
    });
    const dep = (await api.record(r.tokens.access_token, r.orcid).catch((x: unknown) => x)) as OrcidError;
    expect([dep.kind, dep.itemStatus, dep.details.primaryOrcid]).toEqual([
      'record_unavailable',
      'record_unavailable',
      primary.orcid,
    ]);
    const write = (await api
      .create(r.tokens.access_token, r.orcid, 'keywords', { content: 'x' })
      .catch((x: unknown) => x)) as OrcidError;
    expect([write.kind, write.details.errorCode]).toEqual(['record_unavailable', 9007]);
  });

  it('401 after the researcher revokes: revoked, but DELETE of our own item still works', async () => {
    const r = await connect();
    const { api } = clientFor();
    const pc = await api.create(r.tokens.access_token, r.orcid, 'keywords', { content: 'to delete' });
    await control(sb.base, 'POST', `/researchers/${r.orcid}/revoke`, { clientId: client.clientId });
    const e = (await api
      .create(r.tokens.access_token, r.orcid, 'keywords', { content: 'y' })
      .catch((x: unknown) => x)) as OrcidError;
    expect(e.itemStatus).toBe('revoked');
    await api.delete(r.tokens.access_token, r.orcid, 'keywords', pc);
  });
});

describe("retries under the simulator's fault rules", () => {
  /** A transport whose backoff "sleep" clears the faults, so the next attempt succeeds. */
  const healingAfter = (failures: number) => {
    let n = 0;
    return clientFor('json', {
      ...fast,
      sleep: async () => {
        n++;
        if (n >= failures) await control(sb.base, 'DELETE', '/faults');
      },
    });
  };

  it.each([
    ['503 over the rate limit', { status: 503 }],
    ['500', { status: 500 }],
    ['a dropped connection', { reset: true }],
  ])('retries a read after %s and succeeds', async (_name, fault) => {
    const r = await connect();
    const { api } = healingAfter(2);
    const pc = await api.create(r.tokens.access_token, r.orcid, 'keywords', { content: 'resilient' });
    await control(sb.base, 'POST', '/faults', {
      method: 'GET',
      pathPattern: `/api/v3.0/${r.orcid}/keywords$`,
      rate: 1,
      ...fault,
    });
    const before = calls.length;
    const list = await api.section(r.tokens.access_token, r.orcid, 'keywords');
    expect(JSON.stringify(list)).toContain(`"put-code":${pc}`);
    const mine = calls.slice(before);
    expect(mine).toHaveLength(3);
    expect(mine.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const state = await control<{ researchers: Array<{ orcid: string; items: unknown[] }> }>(
      sb.base,
      'GET',
      '/state',
    );
    expect(state.researchers.find((x) => x.orcid === r.orcid)!.items).toHaveLength(1);
  });

  it.each([
    ['a 500', { status: 500 }],
    ['a dropped connection', { reset: true }],
  ])('a POST answered with %s is not sent again (ORCID may have stored it)', async (_name, fault) => {
    const r = await connect();
    const { api } = healingAfter(1);
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: `/api/v3.0/${r.orcid}/keywords$`,
      rate: 1,
      afterStore: true,
      ...fault,
    });
    const before = calls.length;
    const error = await api.create(r.tokens.access_token, r.orcid, 'keywords', { content: 'once' }).then(
      () => null,
      (e: unknown) => e,
    );
    await control(sb.base, 'DELETE', '/faults');
    expect(error).toBeInstanceOf(OrcidError);
    expect((error as OrcidError).kind).toBe('transient');
    expect(calls.slice(before)).toHaveLength(1);
    const state = await control<{ researchers: Array<{ orcid: string; items: unknown[] }> }>(
      sb.base,
      'GET',
      '/state',
    );
    expect(state.researchers.find((x) => x.orcid === r.orcid)!.items).toHaveLength(1);
  });

  it('a hung request times out and is retried', async () => {
    const r = await connect();
    const { api } = clientFor('json', {
      ...fast,
      timeoutMs: 300,
      sleep: async () => {
        await control(sb.base, 'DELETE', '/faults');
      },
    });
    await control(sb.base, 'POST', '/faults', {
      pathPattern: `/api/v3.0/${r.orcid}/record$`,
      rate: 1,
      timeout: true,
    });
    const record = await api.record(r.tokens.access_token, r.orcid);
    expect((record['orcid-identifier'] as JsonObject).path).toBe(r.orcid);
  });

  it('gives up after the last attempt with a transient error (item status retrying)', async () => {
    const r = await connect();
    const { api } = clientFor('json', { ...fast, attempts: 3 });
    await control(sb.base, 'POST', '/faults', {
      pathPattern: `/api/v3.0/${r.orcid}/works$`,
      rate: 1,
      status: 502,
    });
    try {
      const e = (await api
        .section(r.tokens.access_token, r.orcid, 'work')
        .catch((x: unknown) => x)) as OrcidError;
      expect([e.kind, e.itemStatus, e.details.status]).toEqual(['transient', 'retrying', 502]);
    } finally {
      await control(sb.base, 'DELETE', '/faults');
    }
  });

  it('Retry-After wins over a shorter backoff', () => {
    const t = new OrcidTransport({ baseDelayMs: 100, random: () => 0 });
    expect(t.delayFor(1, null)).toBe(50);
    expect(t.delayFor(3, null)).toBe(200);
    expect(t.delayFor(1, 5000)).toBe(5000);
  });
});

describe('group ids, webhooks, search', () => {
  it('finds or creates peer-review groups, registers webhooks, searches', async () => {
    const { api, oauth } = clientFor();
    const group = (await oauth.clientCredentials('/group-id-record/update')).access_token;
    expect(await api.findGroupId(group, 'ringgold:1234567')).toBeNull();
    const pc = await api.createGroupId(group, {
      name: 'J',
      groupId: 'ringgold:1234567',
      description: 'Journal',
      type: 'journal',
    });
    expect((await api.findGroupId(group, 'ringgold:1234567'))?.['put-code']).toBe(pc);
    const r = await connect();
    const hook = (await oauth.clientCredentials('/webhook')).access_token;
    expect(await api.registerWebhook(hook, r.orcid, 'https://portal.example.org/hooks/1')).toBe(true);
    expect(await api.registerWebhook(hook, r.orcid, 'https://portal.example.org/hooks/1')).toBe(false);
    await api.unregisterWebhook(hook, r.orcid, 'https://portal.example.org/hooks/1');
    const pub = (await oauth.clientCredentials('/read-public')).access_token;
    const found = await api.search(pub, `orcid:${r.orcid}`);
    expect(found).toEqual({ orcids: [r.orcid], numFound: 1 });
  });
});

describe('the call log', () => {
  it('holds every attempt with no token or secret', () => {
    expect(calls.length).toBeGreaterThan(50);
    const text = JSON.stringify(calls);
    expect(text).not.toContain(client.clientSecret);
    expect(text).not.toMatch(/"access_token":"[0-9a-f-]{36}"/);
    expect(text).not.toMatch(/Bearer [0-9a-f]/);
    expect(calls.some((c) => c.url.includes('/oauth/token'))).toBe(true);
  });
});
