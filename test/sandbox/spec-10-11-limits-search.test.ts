// SPEC 10 (rate limits), 11 (search) and the control API's fault rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/sandbox/api/search-api.js';
import { TokenBuckets } from '../../src/sandbox/traffic.js';
import {
  call,
  clientCredentials,
  control,
  newClient,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };

beforeAll(async () => {
  sb = await startTestSandbox();
  client = await newClient(sb.base);
});
afterAll(() => sb.close());

describe('SPEC 10: rate limits', () => {
  it('token bucket: a burst of 40 passes, the 41st is refused, refills at the rate', () => {
    const b = new TokenBuckets({ memberPerSecond: 24, publicPerSecond: 12, burst: 40, enabled: true });
    let t = 0;
    for (let i = 0; i < 40; i++) expect(b.take('c', 'member', t)).toBe(true);
    expect(b.take('c', 'member', t)).toBe(false);
    t += 1000; // 24 tokens later
    let n = 0;
    while (b.take('c', 'member', t)) n++;
    expect(n).toBe(24);
    t += 1000;
    n = 0;
    while (b.take('p', 'public', t)) n++;
    expect(n).toBe(40);
    expect(b.take('p', 'public', t + 1000 / 12)).toBe(true);
  });

  it('over HTTP: beyond the burst the member API answers 503; switched off, it never does', async () => {
    const r = await newResearcher(sb.base);
    const t = await threeLegged(sb.base, client, r.orcid);
    await control(sb.base, 'PUT', '/rate-limit', { memberPerSecond: 1, burst: 5, enabled: true });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++)
        statuses.push((await call(`${sb.api}/v3.0/${r.orcid}/works`, { token: t.access_token })).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(2);
      // Another client has its own bucket.
      const other = await newClient(sb.base);
      const { access_token } = await clientCredentials(sb.base, other, '/read-public');
      expect((await call(`${sb.api}/v3.0/${r.orcid}/works`, { token: access_token })).status).toBe(200);
    } finally {
      await control(sb.base, 'PUT', '/rate-limit', { memberPerSecond: 24, burst: 40, enabled: false });
    }
    for (let i = 0; i < 60; i++)
      expect((await call(`${sb.api}/v3.0/${r.orcid}/works`, { token: t.access_token })).status).toBe(200);
  });
});

describe('Control API: faults', () => {
  it('injects a status, drops connections and hangs requests on matching paths only, and clears', async () => {
    const r = await newResearcher(sb.base);
    await control(sb.base, 'POST', '/faults', {
      method: 'GET',
      pathPattern: '/pub/v3\\.0/.*/works',
      status: 502,
      rate: 1,
    });
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/works`)).status).toBe(502);
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/person`)).status).toBe(200);
    await control(sb.base, 'DELETE', '/faults');
    await control(sb.base, 'POST', '/faults', { pathPattern: '/person$', reset: true, rate: 1 });
    await expect(fetch(`${sb.pub}/v3.0/${r.orcid}/person`)).rejects.toThrow();
    await control(sb.base, 'DELETE', '/faults');
    await control(sb.base, 'POST', '/faults', { pathPattern: '/email$', timeout: true, rate: 1 });
    await expect(
      fetch(`${sb.pub}/v3.0/${r.orcid}/email`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    await control(sb.base, 'DELETE', '/faults');
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/email`)).status).toBe(200);
  });

  it('a rate of 0.5 affects about half the requests; latency delays', async () => {
    const r = await newResearcher(sb.base);
    await control(sb.base, 'POST', '/faults', { pathPattern: '/keywords$', status: 500, rate: 0.5 });
    let errors = 0;
    for (let i = 0; i < 200; i++)
      if ((await call(`${sb.pub}/v3.0/${r.orcid}/keywords`)).status === 500) errors++;
    expect(errors).toBeGreaterThan(60);
    expect(errors).toBeLessThan(140);
    await control(sb.base, 'DELETE', '/faults');
  });

  it('refuses a bad rule with a clear message', async () => {
    await expect(control(sb.base, 'POST', '/faults', { pathPattern: '(', rate: 1 })).rejects.toThrow(
      /regular expression/,
    );
    await expect(control(sb.base, 'POST', '/faults', { rate: 2 })).rejects.toThrow(/rate/);
  });
});

describe('SPEC 11: search', () => {
  it('parses field queries, phrases and operators', () => {
    expect(parseQuery('family-name:Garcia AND given-names:"Sofia Maria"')).toEqual([
      { field: 'family-name', value: 'garcia', phrase: false, op: 'OR', negate: false },
      { field: 'given-names', value: 'sofia maria', phrase: true, op: 'AND', negate: false },
    ]);
  });

  it('finds records by names, public affiliations, keywords and iD; private data is not indexed', async () => {
    const s = await startTestSandbox();
    try {
      const c = await newClient(s.base);
      const a = await newResearcher(s.base, { givenNames: 'Sofia Maria', familyNames: 'Garcia' });
      const b = await newResearcher(s.base, { givenNames: 'Sofia', familyNames: 'Okafor' });
      await control(s.base, 'POST', `/researchers/${a.orcid}/items`, {
        section: 'keywords',
        item: { content: 'glaciology' },
      });
      await control(s.base, 'POST', `/researchers/${b.orcid}/items`, {
        section: 'keywords',
        item: { content: 'secret-topic' },
        visibility: 'private',
      });
      await control(s.base, 'POST', `/researchers/${b.orcid}/items`, {
        section: 'employment',
        item: {
          organization: {
            name: 'University of Lagos',
            address: { city: 'Lagos', country: 'NG' },
            'disambiguated-organization': {
              'disambiguated-organization-identifier': 'https://ror.org/05rk03822',
              'disambiguation-source': 'ROR',
            },
          },
        },
      });
      const q = async (query: string) =>
        (await call(`${s.pub}/v3.0/search?q=${encodeURIComponent(query)}`)).json;
      expect(
        (await q('family-name:garcia')).result.map(
          (x: { 'orcid-identifier': { path: string } }) => x['orcid-identifier'].path,
        ),
      ).toEqual([a.orcid]);
      expect((await q('given-names:sofia'))['num-found']).toBe(2);
      expect((await q('given-names:sofia AND family-name:okafor'))['num-found']).toBe(1);
      expect((await q('keyword:glaciology'))['num-found']).toBe(1);
      expect((await q('keyword:secret-topic'))['num-found']).toBe(0);
      expect((await q('affiliation-org-name:"University of Lagos"'))['num-found']).toBe(1);
      expect((await q(`orcid:${b.orcid}`))['num-found']).toBe(1);
      expect((await q('given-names:sofia')).result).toHaveLength(2);
      const paged = await call(`${s.pub}/v3.0/search?q=given-names:sofia&start=1&rows=1`);
      expect(paged.json.result).toHaveLength(1);
      expect(paged.json['num-found']).toBe(2);

      const expanded = await call(`${s.pub}/v3.0/expanded-search?q=family-name:okafor`);
      expect(expanded.json['expanded-result'][0]).toMatchObject({
        'orcid-id': b.orcid,
        'given-names': 'Sofia',
        'family-names': 'Okafor',
        'institution-name': ['University of Lagos'],
      });
      const csv = await fetch(`${s.pub}/v3.0/csv-search?q=given-names:sofia&fl=orcid,family-name`, {
        headers: { accept: 'text/csv' },
      });
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect((await csv.text()).trim().split('\n')).toEqual([
        'orcid,family-name',
        ...[a, b]
          .map((x) => x.orcid)
          .sort()
          .map((id) => `${id},${id === a.orcid ? 'Garcia' : 'Okafor'}`),
      ]);

      const xml = await call(`${s.pub}/v3.0/search?q=family-name:garcia`, {
        accept: 'application/vnd.orcid+xml',
      });
      expect(xml.text).toMatch(/<search:search[^>]*num-found="1"/);

      // The member API needs a /read-public token.
      const { access_token } = await clientCredentials(s.base, c, '/read-public');
      expect((await call(`${s.api}/v3.0/search?q=garcia`, { token: access_token })).json['num-found']).toBe(
        1,
      );
    } finally {
      await s.close();
    }
  });

  it('refuses rows outside 0..1000 (9012) and an anonymous start beyond 10000 (9043)', async () => {
    const rows = await call(`${sb.pub}/v3.0/search?q=x&rows=1001`);
    expect([rows.status, rows.json['error-code']]).toEqual([400, 9012]);
    const start = await call(`${sb.pub}/v3.0/search?q=x&start=10001`);
    expect([start.status, start.json['error-code']]).toEqual([400, 9043]);
  });
});
