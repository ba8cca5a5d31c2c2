// SPEC 6 (API v3.0), 7 (errors), 8 (record states) and 12 (revocation by the researcher).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedModel } from '../../lib/orcid-model/orcid-model.js';
import {
  call,
  clientCredentials,
  control,
  newClient,
  newResearcher,
  putCodeOf,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };

beforeAll(async () => {
  sb = await startTestSandbox();
  client = await newClient(sb.base, { name: 'Member University' });
});
afterAll(() => sb.close());

const work = (doi: string, title = 'A study of things', extra: Record<string, unknown> = {}) => ({
  title: { title: { value: title } },
  type: 'journal-article',
  'external-ids': {
    'external-id': [
      {
        'external-id-type': 'doi',
        'external-id-value': doi,
        'external-id-relationship': 'self',
        'external-id-url': { value: `https://doi.org/${doi}` },
      },
    ],
  },
  ...extra,
});

const org = {
  name: 'Boston University',
  address: { city: 'Boston', region: 'MA', country: 'US' },
  'disambiguated-organization': {
    'disambiguated-organization-identifier': 'https://ror.org/05qwgg493',
    'disambiguation-source': 'ROR',
  },
};

async function connected(scope = '/read-limited /activities/update /person/update') {
  const r = await newResearcher(sb.base);
  const t = await threeLegged(sb.base, client, r.orcid, scope);
  return { ...r, token: t.access_token, url: `${sb.api}/v3.0/${r.orcid}` };
}

describe('SPEC 6.1: versions and redirects', () => {
  it('unversioned GET redirects to /v3.0; unversioned POST is 400; v3.0_rc1 is 308; status answers', async () => {
    const r = await connected();
    const get = await call(`${sb.api}/${r.orcid}/works`, { token: r.token });
    expect(get.status).toBe(302);
    expect(get.headers.get('location')).toBe(`${sb.api}/v3.0/${r.orcid}/works`);
    const post = await call(`${sb.api}/${r.orcid}/work`, {
      method: 'POST',
      token: r.token,
      body: work('10.1/x'),
    });
    expect(post.status).toBe(400);
    expect(post.json['error-code']).toBe(9012);
    const rc = await call(`${sb.pub}/v3.0_rc1/${r.orcid}/works`);
    expect(rc.status).toBe(308);
    expect(rc.headers.get('location')).toBe(`${sb.pub}/v3.0/${r.orcid}/works`);
    expect((await call(`${sb.pub}/v3.0/status`)).json.overallOk).toBe(true);
  });
});

describe('SPEC 6.2, 7.3: authentication on the API hosts', () => {
  it('member API without a token: 403 forbidden; unknown token: 401 invalid_token', async () => {
    const r = await connected();
    const none = await call(`${r.url}/record`);
    expect(none.status).toBe(403);
    expect(none.json.error).toBe('forbidden');
    const bad = await call(`${r.url}/record`, { token: 'f5af9f51-07e6-4332-8f1a-c0c11c1e3728' });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({
      error: 'invalid_token',
      error_description: 'Invalid access token: f5af9f51-07e6-4332-8f1a-c0c11c1e3728',
    });
  });

  it('a token for another record is 401 / 9017, even for public data', async () => {
    const a = await connected();
    const b = await connected();
    const res = await call(`${b.url}/works`, { token: a.token });
    expect(res.status).toBe(401);
    expect(res.json['error-code']).toBe(9017);
  });

  it("a public client's token is refused on the member API and accepted on the public API", async () => {
    const pub = await newClient(sb.base, { type: 'public' });
    const r = await newResearcher(sb.base);
    const t = await threeLegged(sb.base, pub, r.orcid, '/authenticate');
    expect((await call(`${sb.api}/v3.0/${r.orcid}/record`, { token: t.access_token })).status).toBe(403);
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/record`, { token: t.access_token })).status).toBe(200);
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/record`)).status).toBe(200);
  });
});

describe('SPEC 6.3: content negotiation', () => {
  it('no Accept gives ORCID XML; application/json is compact; vnd.orcid+json is pretty; unknown Accept is 406', async () => {
    const r = await connected();
    const res = await fetch(`${r.url}/person`, { headers: { authorization: `Bearer ${r.token}` } });
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.orcid\+xml/);
    const xml = await res.text();
    expect(xml).toContain('<person:person');
    const compact = await call(`${r.url}/person`, { token: r.token, accept: 'application/json' });
    expect(compact.text.includes('\n')).toBe(false);
    const pretty = await call(`${r.url}/person`, { token: r.token, accept: 'application/vnd.orcid+json' });
    expect(pretty.text).toContain('\n  "');
    const bad = await call(`${r.url}/person`, { token: r.token, accept: 'image/png' });
    expect(bad.status).toBe(406);
    expect(bad.text).toContain('<error:error-code>9001</error:error-code>');
  });

  it('without Accept, an ORCID Content-Type decides the response type (tutorial style)', async () => {
    const r = await connected();
    const res = await fetch(`${r.url}/works`, {
      headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/vnd.orcid+json' },
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.orcid\+json/);
  });

  it('an unsupported body type is 415; malformed JSON is 9047; XML that breaks the XSD is 9001', async () => {
    const r = await connected();
    const text = await call(`${r.url}/work`, {
      method: 'POST',
      token: r.token,
      body: 'hello',
      contentType: 'text/plain',
    });
    expect(text.status).toBe(415);
    const bad = await call(`${r.url}/work`, { method: 'POST', token: r.token, body: '{"title":' });
    expect(bad.status).toBe(400);
    expect(bad.json['error-code']).toBe(9047);
    const unknownKey = await call(`${r.url}/work`, {
      method: 'POST',
      token: r.token,
      body: { ...work('10.1/k'), colour: 'red' },
    });
    expect(unknownKey.json['error-code']).toBe(9047);
    expect(unknownKey.json['developer-message']).toContain('colour');
    const xml = await call(`${r.url}/work`, {
      method: 'POST',
      token: r.token,
      contentType: 'application/vnd.orcid+xml',
      body: '<work:work xmlns:work="http://www.orcid.org/ns/work"><work:type>book</work:type></work:work>',
    });
    expect(xml.status).toBe(400);
    expect(xml.json['error-code']).toBe(9001);
    expect(xml.json['developer-message']).toMatch(/Full validation error: .*type/);
  });
});

describe('SPEC 6.6: writes', () => {
  it('POST answers 201 with an empty body and Location; GET returns the item with source and dates', async () => {
    const r = await connected();
    const res = await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.1000/one') });
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    const pc = putCodeOf(res.headers.get('location'));
    expect(res.headers.get('location')).toBe(`${r.url}/work/${pc}`);
    const got = await call(`${r.url}/work/${pc}`, { token: r.token });
    expect(got.json['put-code']).toBe(pc);
    expect(got.json.path).toBe(`/${r.orcid}/work/${pc}`);
    expect(got.json.source['source-client-id'].path).toBe(client.clientId);
    expect(got.json.source['source-name'].value).toBe('Member University');
    expect(got.json['created-date'].value).toEqual(expect.any(Number));
    expect(got.json.visibility).toBe('public');
  });

  it('PUT updates (200 with the item); mismatched put codes are 9019; visibility changes are 9035', async () => {
    const r = await connected();
    const pc = putCodeOf(
      (
        await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.1000/two') })
      ).headers.get('location'),
    );
    const ok = await call(`${r.url}/work/${pc}`, {
      method: 'PUT',
      token: r.token,
      body: { ...work('10.1000/two', 'Renamed'), 'put-code': pc },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.title.title.value).toBe('Renamed');
    const mismatch = await call(`${r.url}/work/${pc}`, {
      method: 'PUT',
      token: r.token,
      body: { ...work('10.1000/two'), 'put-code': pc + 1 },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json['error-code']).toBe(9019);
    expect(mismatch.json['developer-message']).toContain(
      `The put code in the URL was ${pc} whereas the one in the body was ${pc + 1}`,
    );
    const vis = await call(`${r.url}/work/${pc}`, {
      method: 'PUT',
      token: r.token,
      body: { ...work('10.1000/two'), 'put-code': pc, visibility: 'private' },
    });
    expect(vis.status).toBe(403);
    expect(vis.json['error-code']).toBe(9035);
  });

  it('a put code on POST is 9024; an unknown put code 9016; a non-numeric one 9034', async () => {
    const r = await connected();
    expect(
      (
        await call(`${r.url}/work`, {
          method: 'POST',
          token: r.token,
          body: { ...work('10.1/p'), 'put-code': 5 },
        })
      ).json['error-code'],
    ).toBe(9024);
    const unknown = await call(`${r.url}/work/999999`, { method: 'DELETE', token: r.token });
    expect(unknown.status).toBe(404);
    expect(unknown.json['error-code']).toBe(9016);
    const nan = await call(`${r.url}/work/abc`, { method: 'DELETE', token: r.token });
    expect(nan.status).toBe(400);
    expect(nan.json['error-code']).toBe(9034);
  });

  it('only the source may update or delete: 403 / 9010', async () => {
    const r = await connected();
    const pc = putCodeOf(
      (
        await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.1000/src') })
      ).headers.get('location'),
    );
    const other = await newClient(sb.base, { name: 'Other Org' });
    const t = await threeLegged(sb.base, other, r.orcid);
    const put = await call(`${r.url}/work/${pc}`, {
      method: 'PUT',
      token: t.access_token,
      body: { ...work('10.1000/src'), 'put-code': pc },
    });
    expect(put.status).toBe(403);
    expect(put.json['error-code']).toBe(9010);
    expect(put.json['developer-message']).toContain('You are not the source of the work');
    expect(
      (await call(`${r.url}/work/${pc}`, { method: 'DELETE', token: t.access_token })).json['error-code'],
    ).toBe(9010);
  });

  it('a duplicate by external id from the same client is 409 / 9021 naming the existing put code; other clients may add it', async () => {
    const r = await connected();
    const first = putCodeOf(
      (
        await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.1000/dup') })
      ).headers.get('location'),
    );
    const again = await call(`${r.url}/work`, {
      method: 'POST',
      token: r.token,
      body: work('10.1000/DUP', 'Other title'),
    });
    expect(again.status).toBe(409);
    expect(again.json['error-code']).toBe(9021);
    expect(again.json['developer-message']).toContain(`put-code ${first}`);
    const partOf = work('10.1000/dup');
    partOf['external-ids']['external-id'].push({
      'external-id-type': 'isbn',
      'external-id-value': '978',
      'external-id-relationship': 'self',
      'external-id-url': { value: 'https://x' },
    });
    partOf['external-ids']['external-id'][0]!['external-id-relationship'] = 'part-of';
    expect((await call(`${r.url}/work`, { method: 'POST', token: r.token, body: partOf })).status).toBe(201);
    const other = await newClient(sb.base);
    const t = await threeLegged(sb.base, other, r.orcid);
    expect(
      (await call(`${r.url}/work`, { method: 'POST', token: t.access_token, body: work('10.1000/dup') }))
        .status,
    ).toBe(201);
  });

  it('person items: a duplicate from the same source is 409 / 9030', async () => {
    const r = await connected();
    expect(
      (await call(`${r.url}/keywords`, { method: 'POST', token: r.token, body: { content: 'ontology' } }))
        .status,
    ).toBe(201);
    const dup = await call(`${r.url}/keywords`, {
      method: 'POST',
      token: r.token,
      body: { content: 'Ontology' },
    });
    expect(dup.status).toBe(409);
    expect(dup.json['error-code']).toBe(9030);
  });

  it('DELETE answers 204 and the item is gone', async () => {
    const r = await connected();
    const pc = putCodeOf(
      (
        await call(`${r.url}/employment`, { method: 'POST', token: r.token, body: { organization: org } })
      ).headers.get('location'),
    );
    const del = await call(`${r.url}/employment/${pc}`, { method: 'DELETE', token: r.token });
    expect(del.status).toBe(204);
    expect((await call(`${r.url}/employment/${pc}`, { token: r.token })).status).toBe(404);
  });

  it('writing without /activities/update is 403 / 9038', async () => {
    const r = await connected('/read-limited');
    const res = await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.1/s') });
    expect(res.status).toBe(403);
    expect(res.json['error-code']).toBe(9038);
  });

  it('bulk POST /works: per-work errors in the list; more than 100 refuses the request', async () => {
    const r = await connected();
    const res = await call(`${r.url}/works`, {
      method: 'POST',
      token: r.token,
      body: {
        bulk: [
          { work: work('10.2/a') },
          { work: work('10.2/a') },
          { work: { ...work('10.2/b'), type: 'poem' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.bulk[0].work['put-code']).toEqual(expect.any(Number));
    expect(res.json.bulk[1].error['error-code']).toBe(9021);
    expect(res.json.bulk[2].error['error-code']).toBe(9037);
    const many = { bulk: Array.from({ length: 101 }, (_, i) => ({ work: work(`10.3/${i}`) })) };
    const tooMany = await call(`${r.url}/works`, { method: 'POST', token: r.token, body: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json['error-code']).toBe(9006);
  });
});

describe('SPEC 6.7: validation of items', () => {
  const cases: Array<[string, string, unknown, number]> = [
    // A blank title and month 13 break the XSD, which ORCID checks before its own rules (SPEC 6.3).
    ['work with a blank title (XSD)', 'work', { ...work('10.9/a'), title: { title: { value: ' ' } } }, 9001],
    ['work with an unknown type', 'work', { ...work('10.9/b'), type: 'poem' }, 9037],
    [
      'work without a self id',
      'work',
      {
        ...work('10.9/c'),
        'external-ids': {
          'external-id': [
            { 'external-id-type': 'doi', 'external-id-value': '1', 'external-id-relationship': 'part-of' },
          ],
        },
      },
      9023,
    ],
    [
      'work with an unknown id type',
      'work',
      {
        ...work('10.9/d'),
        'external-ids': {
          'external-id': [
            { 'external-id-type': 'foo', 'external-id-value': '1', 'external-id-relationship': 'self' },
          ],
        },
      },
      9023,
    ],
    [
      'employment without a disambiguated org',
      'employment',
      { organization: { name: 'X', address: { city: 'Y', country: 'US' } } },
      9045,
    ],
    [
      'employment without a city',
      'employment',
      { organization: { ...org, address: { country: 'US' } } },
      9060,
    ],
    [
      'education ending before it starts',
      'education',
      {
        organization: org,
        'start-date': { year: { value: '2020' } },
        'end-date': { year: { value: '2019' } },
      },
      9055,
    ],
    [
      'education with an end but no start',
      'education',
      { organization: org, 'end-date': { year: { value: '2019' } } },
      9050,
    ],
    [
      'a month 13 (XSD)',
      'education',
      { organization: org, 'start-date': { year: { value: '2019' }, month: { value: '13' } } },
      9001,
    ],
    [
      'a day that is not in the calendar',
      'education',
      {
        organization: org,
        'start-date': { year: { value: '2019' }, month: { value: '02' }, day: { value: '30' } },
      },
      9049,
    ],
    [
      'a membership with neither org id nor external id',
      'membership',
      { organization: { name: 'Club', address: { city: 'Oslo', country: 'NO' } } },
      9062,
    ],
    [
      'a service with a city but no country',
      'service',
      { organization: { ...org, address: { city: 'Paris' } } },
      9061,
    ],
    [
      'funding with a bad amount',
      'funding',
      {
        type: 'grant',
        title: { title: { value: 'G' } },
        'external-ids': work('x')['external-ids'],
        organization: org,
        amount: { value: 'lots', 'currency-code': 'EUR' },
      },
      9054,
    ],
  ];
  it.each(cases)('%s is refused with its ORCID error code', async (_name, segment, body, code) => {
    const r = await connected();
    const res = await call(`${r.url}/${segment}`, { method: 'POST', token: r.token, body });
    expect(res.json['error-code'], res.text).toBe(code);
    expect(res.json['response-code']).toBe(res.status);
  });

  it('a peer review with an unknown group id is refused; an issn: group is created on first use', async () => {
    const r = await connected();
    const review = (groupId: string) => ({
      'reviewer-role': 'reviewer',
      'review-identifiers': {
        'external-id': [
          {
            'external-id-type': 'source-work-id',
            'external-id-value': groupId,
            'external-id-relationship': 'self',
          },
        ],
      },
      'review-type': 'review',
      'review-completion-date': { year: { value: '2020' } },
      'review-group-id': groupId,
      'convening-organization': org,
    });
    expect(
      (await call(`${r.url}/peer-review`, { method: 'POST', token: r.token, body: review('ringgold:99999') }))
        .json['error-code'],
    ).toBe(9026);
    expect(
      (await call(`${r.url}/peer-review`, { method: 'POST', token: r.token, body: review('issn:0953-1513') }))
        .status,
    ).toBe(201);
  });
});

describe('SPEC 6.4, 6.5: reads and visibility', () => {
  it('works sharing a DOI are grouped across sources; the group lists both summaries', async () => {
    const r = await connected();
    await call(`${r.url}/work`, {
      method: 'POST',
      token: r.token,
      body: work('10.5555/shared', 'From member'),
    });
    const { putCode } = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'work',
      item: work('10.5555/SHARED', 'From researcher'),
    });
    await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.5555/alone') });
    const works = await call(`${r.url}/works`, { token: r.token });
    expect(works.json.group).toHaveLength(2);
    const shared = works.json.group.find(
      (g: { 'work-summary': unknown[] }) => g['work-summary'].length === 2,
    );
    expect(shared['work-summary'].map((s: { 'put-code': number }) => s['put-code'])).toContain(putCode);
  });

  it('limited and private items: hidden from list reads without scope, 9038/9013 on item reads, visible to their source', async () => {
    const r = await connected('/activities/update');
    const limited = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'work',
      item: work('10.6/l'),
      visibility: 'limited',
    });
    const priv = await control<{ putCode: number }>(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
      section: 'work',
      item: work('10.6/p'),
      visibility: 'private',
    });
    expect((await call(`${r.url}/works`, { token: r.token })).json.group).toHaveLength(0);
    expect((await call(`${r.url}/work/${limited.putCode}`, { token: r.token })).json['error-code']).toBe(
      9038,
    );
    expect((await call(`${r.url}/work/${priv.putCode}`, { token: r.token })).json['error-code']).toBe(9013);
    const reader = await threeLegged(sb.base, client, r.orcid, '/read-limited');
    expect((await call(`${r.url}/works`, { token: reader.access_token })).json.group).toHaveLength(1);
    expect((await call(`${sb.pub}/v3.0/${r.orcid}/work/${limited.putCode}`)).json['error-code']).toBe(9039);
    // The client's own item stays readable to it whatever the researcher sets.
    const own = putCodeOf(
      (await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.6/own') })).headers.get(
        'location',
      ),
    );
    await control(sb.base, 'PUT', `/researchers/${r.orcid}/items/work/${own}`, {
      item: work('10.6/own'),
      visibility: 'private',
    });
    expect((await call(`${r.url}/work/${own}`, { token: r.token })).status).toBe(200);
  });

  it('every list and summary endpoint answers, and XML of each validates against the XSD', async () => {
    const sbOrcid = await startTestSandbox({ publicUrl: 'https://sandbox.orcid.org' });
    try {
      const c = await newClient(sbOrcid.base);
      const r = await newResearcher(sbOrcid.base);
      const t = await threeLegged(sbOrcid.base, c, r.orcid);
      const url = `${sbOrcid.api}/v3.0/${r.orcid}`;
      const pc = putCodeOf(
        (
          await call(`${url}/work`, { method: 'POST', token: t.access_token, body: work('10.7/a') })
        ).headers.get('location'),
      );
      await call(`${url}/employment`, { method: 'POST', token: t.access_token, body: { organization: org } });
      await call(`${url}/researcher-urls`, {
        method: 'POST',
        token: t.access_token,
        body: { 'url-name': 'Lab', url: { value: 'https://lab.example.org' } },
      });
      const paths = [
        '',
        '/record',
        '/person',
        '/personal-details',
        '/email',
        '/activities',
        '/works',
        `/work/${pc}`,
        `/work/summary/${pc}`,
        `/works/${pc},99999`,
        '/fundings',
        '/employments',
        '/educations',
        '/distinctions',
        '/invited-positions',
        '/memberships',
        '/qualifications',
        '/services',
        '/peer-reviews',
        '/research-resources',
        '/other-names',
        '/address',
        '/keywords',
        '/researcher-urls',
        '/external-identifiers',
        '/summary',
      ];
      const model = sharedModel();
      for (const p of paths) {
        const res = await call(`${url}${p}`, { token: t.access_token, accept: 'application/vnd.orcid+xml' });
        expect(res.status, p).toBe(200);
        expect(model.validators.validate(res.text), p).toEqual([]);
      }
      const bulk = await call(`${url}/works/${pc},99999`, { token: t.access_token });
      expect(bulk.json.bulk[0].work['put-code']).toBe(pc);
      expect(bulk.json.bulk[1].error['error-code']).toBe(9016);
      const tooMany = await call(`${url}/works/${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, {
        token: t.access_token,
      });
      expect(tooMany.json['error-code']).toBe(9042);
    } finally {
      await sbOrcid.close();
    }
  });

  it('SPEC 7.1: errors follow the negotiated type and carry all five fields', async () => {
    const r = await connected();
    const xml = await call(`${r.url}/work/424242`, { token: r.token, accept: 'application/xml' });
    expect(xml.status).toBe(404);
    expect(xml.text).toMatch(
      /<error:response-code>404<\/error:response-code>.*<error:error-code>9016<\/error:error-code>/s,
    );
    expect(sharedModel().validators.validate(xml.text)).toEqual([]);
    const json = await call(`${r.url}/work/424242`, { token: r.token });
    expect(Object.keys(json.json)).toEqual([
      'response-code',
      'developer-message',
      'user-message',
      'error-code',
      'more-info',
    ]);
  });
});

describe('SPEC 8: record states', () => {
  it('unknown iD 404/9016; deprecated 301 to the primary on GET and 409/9007 otherwise; locked 9018; deactivated 9044', async () => {
    const unknown = await call(`${sb.pub}/v3.0/0000-0002-1825-0097/record`);
    expect(unknown.status).toBe(404);
    expect(unknown.json['error-code']).toBe(9016);

    const primary = await newResearcher(sb.base);
    const dep = await connected();
    await control(sb.base, 'POST', `/researchers/${dep.orcid}/state`, {
      state: 'deprecated',
      primary: primary.orcid,
    });
    const get = await call(`${dep.url}/works`, { token: dep.token });
    expect(get.status).toBe(301);
    expect(get.headers.get('location')).toBe(`${sb.api}/v3.0/${primary.orcid}/works`);
    expect(get.json['error-code']).toBe(9007);
    const post = await call(`${dep.url}/work`, { method: 'POST', token: dep.token, body: work('10.8/a') });
    expect(post.status).toBe(409);
    expect(post.json['error-code']).toBe(9007);

    const locked = await connected();
    await control(sb.base, 'POST', `/researchers/${locked.orcid}/state`, { state: 'locked' });
    const l = await call(`${locked.url}/record`, { token: locked.token });
    expect([l.status, l.json['error-code']]).toEqual([409, 9018]);

    const gone = await connected();
    await control(sb.base, 'POST', `/researchers/${gone.orcid}/state`, { state: 'deactivated' });
    const d = await call(`${gone.url}/work`, { method: 'POST', token: gone.token, body: work('10.8/b') });
    expect([d.status, d.json['error-code']]).toEqual([409, 9044]);
  });
});

describe('SPEC 12: after the researcher revokes', () => {
  it('reads and writes are 401 invalid_token, DELETE still works, refresh fails', async () => {
    const r = await connected();
    const pc = putCodeOf(
      (await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.12/a') })).headers.get(
        'location',
      ),
    );
    await control(sb.base, 'POST', `/researchers/${r.orcid}/revoke`, { clientId: client.clientId });
    const read = await call(`${r.url}/works`, { token: r.token });
    expect(read.status).toBe(401);
    expect(read.json.error).toBe('invalid_token');
    expect(
      (await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.12/b') })).status,
    ).toBe(401);
    expect((await call(`${r.url}/work/${pc}`, { method: 'DELETE', token: r.token })).status).toBe(204);
  });

  it('a token revoked by the client itself cannot DELETE', async () => {
    const r = await connected();
    const pc = putCodeOf(
      (await call(`${r.url}/work`, { method: 'POST', token: r.token, body: work('10.12/c') })).headers.get(
        'location',
      ),
    );
    await fetch(`${sb.base}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        token: r.token,
      }).toString(),
    });
    expect((await call(`${r.url}/work/${pc}`, { method: 'DELETE', token: r.token })).status).toBe(401);
  });
});

describe('SPEC 6.9: group-id records', () => {
  it('create, duplicate 9025, find by group-id, page, update, and refuse deleting a referenced group', async () => {
    const { access_token: token } = await clientCredentials(sb.base, client, '/group-id-record/update');
    const body = {
      name: 'Journal of Tests',
      'group-id': 'ringgold:355321',
      description: 'A journal',
      type: 'journal',
    };
    const created = await call(`${sb.api}/v3.0/group-id-record`, { method: 'POST', token, body });
    expect(created.status).toBe(201);
    const pc = putCodeOf(created.headers.get('location'));
    expect(
      (await call(`${sb.api}/v3.0/group-id-record`, { method: 'POST', token, body })).json['error-code'],
    ).toBe(9025);
    const found = await call(`${sb.api}/v3.0/group-id-record?group-id=ringgold:355321`, { token });
    expect(found.json['put-code']).toBe(pc);
    const page = await call(`${sb.api}/v3.0/group-id-record?page-size=10&page=1`, { token });
    expect(page.json.total).toBeGreaterThanOrEqual(1);
    const updated = await call(`${sb.api}/v3.0/group-id-record/${pc}`, {
      method: 'PUT',
      token,
      body: { ...body, name: 'Renamed', 'put-code': pc },
    });
    expect(updated.json.name).toBe('Renamed');
    const bad = await call(`${sb.api}/v3.0/group-id-record`, {
      method: 'POST',
      token,
      body: { ...body, 'group-id': 'nope:1' },
    });
    expect(bad.status).toBe(400);
    const r = await connected();
    const review = await call(`${r.url}/peer-review`, {
      method: 'POST',
      token: r.token,
      body: {
        'reviewer-role': 'editor',
        'review-identifiers': {
          'external-id': [
            {
              'external-id-type': 'source-work-id',
              'external-id-value': 'r1',
              'external-id-relationship': 'self',
            },
          ],
        },
        'review-type': 'review',
        'review-completion-date': { year: { value: '2021' } },
        'review-group-id': 'ringgold:355321',
        'convening-organization': org,
      },
    });
    expect(review.status).toBe(201);
    expect((await call(`${sb.api}/v3.0/group-id-record/${pc}`, { method: 'DELETE', token })).status).toBe(
      409,
    );
    const { access_token: readOnly } = await clientCredentials(sb.base, client, '/group-id-record/read');
    expect(
      (await call(`${sb.api}/v3.0/group-id-record`, { method: 'POST', token: readOnly, body })).json[
        'error-code'
      ],
    ).toBe(9038);
  });
});
