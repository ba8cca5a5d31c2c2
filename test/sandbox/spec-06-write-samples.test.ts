// SPEC 6.6-6.7 with ORCID's own documents: every write sample, XML and JSON, is posted to its
// section over HTTP and accepted; the XML the simulator returns for it validates against the XSD.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedModel } from '../../lib/orcid-model/orcid-model.js';
import {
  call,
  newClient,
  newResearcher,
  putCodeOf,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

const model = sharedModel();
const dir = join(model.dir, 'record_3.0/samples/write_samples');

// URL segment each sample is posted to.
function segmentOf(file: string): string {
  if (file.startsWith('bulk')) return 'works';
  const table: Array<[RegExp, string]> = [
    [/^keyword/, 'keywords'],
    [/^other-name/, 'other-names'],
    [/^researcher-url/, 'researcher-urls'],
    [/^external-identifier/, 'external-identifiers'],
    [/^address/, 'address'],
    [/^peer-review-group-id/, 'group-id-record'],
  ];
  for (const [re, seg] of table) if (re.test(file)) return seg;
  return /^([a-z-]+?)-(?:3\.0|full|simple|with|51)/.exec(file)![1]!;
}

// Samples ORCID itself would refuse, with the reason: entry index in the bulk → expected error code.
const INVALID_SAMPLES: Record<string, { entries: Record<number, number>; reason: string }> = {
  'bulk-work-3.0.json': {
    entries: { 1: 9023 },
    reason: 'the second work has only a part-of ISBN; a work needs at least one self external id (SPEC 6.7)',
  },
};

const samples = readdirSync(dir).filter(
  (f) => /\.(xml|json)$/.test(f) && !f.startsWith('peer-review-group-id'),
);

// The XSD pattern for `uri` values wants an https ORCID host, so this instance presents itself
// as sandbox.orcid.org (requests still go to the local port).
let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };

beforeAll(async () => {
  sb = await startTestSandbox({ publicUrl: 'https://sandbox.orcid.org' });
  client = await newClient(sb.base);
});
afterAll(() => sb.close());

describe('SPEC 6.6: ORCID write samples are accepted', () => {
  it.each(samples)('%s', async (file) => {
    const { orcid } = await newResearcher(sb.base);
    const { access_token: token } = await threeLegged(sb.base, client, orcid);
    const body = readFileSync(join(dir, file), 'utf8');
    const contentType = file.endsWith('.xml') ? 'application/vnd.orcid+xml' : 'application/vnd.orcid+json';
    const segment = segmentOf(file);
    const res = await call(`${sb.api}/v3.0/${orcid}/${segment}`, {
      method: 'POST',
      token,
      body,
      contentType,
    });
    if (segment === 'works') {
      expect(res.status, res.text).toBe(200);
      const bulk = res.json.bulk as Array<{ work?: { 'put-code': number }; error?: unknown }>;
      expect(bulk.length).toBeGreaterThan(0);
      const expected = INVALID_SAMPLES[file]?.entries ?? {};
      const errors = Object.fromEntries(
        bulk.flatMap((b, i) => (b.error ? [[i, (b.error as { 'error-code': number })['error-code']]] : [])),
      );
      expect(errors, INVALID_SAMPLES[file]?.reason).toEqual(expected);
      const codes = bulk.flatMap((b) => (b.work ? [b.work['put-code']] : []));
      const xml = await call(`${sb.api}/v3.0/${orcid}/works/${codes.join(',')}`, {
        token,
        accept: 'application/vnd.orcid+xml',
      });
      expect(xml.status).toBe(200);
      expect(model.validators.validate(xml.text)).toEqual([]);
      return;
    }
    expect(res.status, res.text).toBe(201);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`/v3\\.0/${orcid}/${segment}/\\d+$`));
    const xml = await call(`${sb.api}/v3.0/${orcid}/${segment}/${putCodeOf(location)}`, {
      token,
      accept: 'application/vnd.orcid+xml',
    });
    expect(xml.status).toBe(200);
    expect(model.validators.validate(xml.text)).toEqual([]);
    // The section list containing it is valid XML too.
    const list = await call(`${sb.api}/v3.0/${orcid}/record`, { token, accept: 'application/vnd.orcid+xml' });
    expect(model.validators.validate(list.text)).toEqual([]);
  });

  it('the group-id record sample is accepted by POST /group-id-record and read back as valid XML', async () => {
    const res = await fetch(`${sb.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        grant_type: 'client_credentials',
        scope: '/group-id-record/update',
      }).toString(),
    });
    const { access_token: token } = (await res.json()) as { access_token: string };
    const body = readFileSync(join(dir, 'peer-review-group-id.json'), 'utf8');
    const created = await call(`${sb.api}/v3.0/group-id-record`, { method: 'POST', token, body });
    expect(created.status, created.text).toBe(201);
    const xml = await call(`${sb.api}/v3.0/group-id-record/${putCodeOf(created.headers.get('location'))}`, {
      token,
      accept: 'application/vnd.orcid+xml',
    });
    expect(xml.status).toBe(200);
    expect(model.validators.validate(xml.text)).toEqual([]);
  });
});
