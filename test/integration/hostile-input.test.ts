// Hostile input against the running web role: NUL characters everywhere (API fields, payloads,
// upload cells, form fields, path segments, slugs, queries), ids shaped like ours but not UUIDs,
// malformed multipart (signed in and not), 100,000-level JSON and oversized bodies, API payloads
// ORCID would refuse, partial person updates. Not one answer is a 5xx, nothing is written by a
// refused request, and the server is healthy afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let key: string;
let admin: WebClient;
const answers: Array<{ what: string; status: number }> = [];

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  key = (await p.container.repos.apiKeys.create(p.tenant.id, 'hostile')).key;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'HOST-ADM', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'HOST-ADM' }))).web;
});
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

async function send(what: string, url: string, init: RequestInit = {}) {
  const res = await fetch(url.startsWith('http') ? url : `${p.base}${url}`, { redirect: 'manual', ...init });
  const text = await res.text();
  answers.push({ what, status: res.status });
  return { status: res.status, text, location: res.headers.get('location'), json: () => JSON.parse(text) };
}

const api = (what: string, method: string, path: string, body?: unknown) =>
  send(what, `/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
  });

const count = async (table: string) =>
  Number(
    (await p.db.pool.query(`select count(*) from ${table} where tenant_id = $1`, [p.tenant.id])).rows[0]
      .count,
  );

/** An upload's progress once a worker has checked (and maybe stated) it. */
async function settledUpload(path: string): Promise<{ state: string }> {
  for (let i = 0; i < 200; i++) {
    const progress = JSON.parse((await admin.get(`${p.base}${path}/progress`)).text);
    if (progress.settled) return progress;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} never settled`);
}

async function uploadAs(client: WebClient, body: string | FormData, contentType: string) {
  const page = await client.get(`${p.tenantUrl}/admin/`).catch(() => null);
  const token = page && page.status === 200 ? csrfOf(page.text) : 'none';
  const cookie = [...(client.jar.get(new URL(p.base).host) ?? new Map())]
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return send(`upload ${contentType}`, `${p.tenantUrl}/admin/uploads?_csrf=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType, cookie } : { cookie },
    body,
  });
}

describe('hostile input', () => {
  it('NUL characters anywhere are refused with 400 naming the field, and nothing is written', async () => {
    const people = await count('people');
    const person = await api('NUL in a person field', 'PUT', '/people/HOST-1', { givenNames: 'Ad\u0000a' });
    expect(person.status).toBe(400);
    expect(person.json().problems[0].field).toBe('givenNames');
    const item = await api('NUL in a payload', 'PUT', '/people/HOST-ADM/items/k1', {
      section: 'keywords',
      payload: { content: 'x\u0000y' },
    });
    expect(item.status).toBe(400);
    expect(item.json().problems[0].field).toBe('payload.content');
    expect(
      (await api('NUL in a JSON key', 'PUT', '/people/HOST-2', { 'given\u0000Names': 'x' })).status,
    ).toBe(400);
    expect((await api('NUL in a path segment', 'GET', '/items/a%00b')).status).toBe(400);
    expect((await api('NUL in a local id', 'PUT', '/people/A%00B', {})).status).toBe(400);
    expect((await send('NUL in a slug', '/o/de%00mo/')).status).toBe(400);
    expect((await send('NUL in a query', `/o/${p.tenant.slug}/?lang=%00`)).status).toBe(400);
    const signIn = await send('NUL in a form field', `/o/${p.tenant.slug}/signin/directory`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=a%00b&password=x&_csrf=x',
    });
    expect(signIn.status).toBe(400);
    expect(signIn.text).toContain('could not be understood');
    const csv = await uploadAs(
      admin,
      (() => {
        const f = new FormData();
        f.append(
          'file',
          new Blob(['local_id,source_key,type,role\nHOST-ADM,k-nul,employment,Lec\u0000turer\n']),
          'n.csv',
        );
        return f;
      })(),
      '',
    );
    // Received, then refused whole by the worker with the reason (a NUL byte is how a UTF-16
    // file without its mark looks).
    expect(csv.status).toBe(303);
    const upload = await settledUpload(csv.location!);
    expect(upload.state).toBe('refused');
    expect((await admin.get(`${p.base}${csv.location}`)).text).toContain('nothing was changed');
    expect(await count('people')).toBe(people);
    expect(await count('items')).toBe(0);
  });

  it('ids shaped like ours but not UUIDs answer 404', async () => {
    for (const id of ['-'.repeat(36), 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', 'x'])
      for (const suffix of ['', '/progress', '/export'])
        expect((await admin.get(`${p.tenantUrl}/admin/uploads/${id}${suffix}`)).status).toBe(404);
  });

  it('malformed multipart answers 400 signed in, 401/403 without a session, never 5xx', async () => {
    const uploads = await count('uploads');
    const truncated =
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nlocal_id,sou';
    for (const [body, type, status, words] of [
      ['whatever', 'multipart/form-data', 400, 'with its boundary'],
      [truncated, 'multipart/form-data; boundary=XYZ', 400, 'could not be read'],
      // Readable, but no file in it.
      ['--XYZ\r\nbroken header\r\n\r\n--XYZ--', 'multipart/form-data; boundary=XYZ', 422, 'Choose a .csv'],
    ] as const) {
      const signedIn = await uploadAs(admin, body, type);
      expect(signedIn.status, `${type}: ${body.slice(0, 20)}`).toBe(status);
      expect(signedIn.text).toContain(words);
      const anonymous = await send('anonymous multipart', `${p.tenantUrl}/admin/uploads`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect([401, 403]).toContain(anonymous.status);
    }
    // An anonymous upload of several megabytes is refused before its body is read.
    const big = await send('anonymous big upload', `${p.tenantUrl}/admin/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: `--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${'x'.repeat(5_000_000)}`,
    });
    expect(big.status).toBe(403);
    expect(await count('uploads')).toBe(uploads);
  });

  it('deeply nested and oversized JSON is refused with 400 / 413', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const nested = await api('100,000 levels', 'PUT', '/people/HOST-3', deep);
    expect(nested.status).toBe(400);
    expect(nested.json().problems[0].message).toContain('nested deeper');
    const deepObject = `{"payload":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)},"section":"work"}`;
    expect((await api('50,000 object levels', 'PUT', '/people/HOST-3/items/deep', deepObject)).status).toBe(
      400,
    );
    expect((await api('not JSON', 'PUT', '/people/HOST-3', '{"givenNames": ')).status).toBe(400);
    const huge = await api('2 MB body', 'PUT', '/people/HOST-3', { givenNames: 'x'.repeat(2_000_000) });
    expect(huge.status).toBe(413);
  });

  it('API payloads go through the checks uploads apply: each field at fault named, nothing stated', async () => {
    await api('person', 'PUT', '/people/HOST-4', { givenNames: 'Hedy' });
    const cases: Array<[string, unknown, string]> = [
      [
        'end before start',
        {
          section: 'employment',
          payload: { 'start-date': { year: { value: '2020' } }, 'end-date': { year: { value: '2019' } } },
        },
        'payload.end-date',
      ],
      [
        'no such country',
        {
          section: 'employment',
          payload: {
            organization: {
              name: 'Somewhere',
              address: { city: 'Town', country: 'QQ' },
              'disambiguated-organization': {
                'disambiguated-organization-identifier': 'https://ror.org/0',
                'disambiguation-source': 'ROR',
              },
            },
          },
        },
        'payload.organization.address.country',
      ],
      [
        'a peer review without its group',
        { section: 'peer-review', payload: { 'reviewer-role': 'reviewer' } },
        'payload.review-group-id',
      ],
      [
        '10,000 characters',
        { section: 'keywords', payload: { content: 'k'.repeat(10_000) } },
        'payload.content',
      ],
      [
        'a field ORCID does not know',
        { section: 'keywords', payload: { content: 'ok', colour: 'red' } },
        'payload',
      ],
      ['a work without its title', { section: 'work', payload: { type: 'journal-article' } }, 'payload'],
    ];
    for (const [name, body, field] of cases) {
      const res = await api(name, 'PUT', `/people/HOST-4/items/bad-${name.replace(/\W+/g, '-')}`, body);
      expect(res.status, name).toBe(400);
      const fields = res.json().problems.map((x: { field: string }) => x.field);
      expect(
        fields.some((f: string) => f.startsWith(field)),
        `${name}: ${fields}`,
      ).toBe(true);
    }
    const local = await api('a local id of spaces', 'PUT', '/people/%20%20', {});
    expect(local.status).toBe(400);
    expect((await api('an empty local id', 'PUT', '/people/', {})).status).toBeGreaterThanOrEqual(400);
    expect(await count('items')).toBe(0);
  });

  it('a person update keeps the fields it leaves out, and null clears one', async () => {
    await api('full person', 'PUT', '/people/HOST-5', {
      email: 'hedy@test.example.edu',
      givenNames: 'Hedy',
      familyName: 'Lamarr',
    });
    await api('partial person', 'PUT', '/people/HOST-5', {
      employment: { status: 'current', start: '2020-01-01' },
    });
    const row = async () =>
      (
        await p.db.pool.query(
          'select email, given_names, family_name, employment_status from people where tenant_id = $1 and local_id = $2',
          [p.tenant.id, 'HOST-5'],
        )
      ).rows[0];
    expect(await row()).toEqual({
      email: 'hedy@test.example.edu',
      given_names: 'Hedy',
      family_name: 'Lamarr',
      employment_status: 'current',
    });
    await api('clear a field', 'PUT', '/people/HOST-5', { familyName: null });
    expect((await row()).family_name).toBeNull();
    expect((await row()).email).toBe('hedy@test.example.edu');
  });

  it('odd URLs and headers: bad percent-encoding, repeated or bracketed query keys, overlong ids, unknown content types', async () => {
    const odd = [
      await send('bad percent-encoding', `/o/${p.tenant.slug}/%E0%A4%A`),
      await send('repeated query key', `/o/${p.tenant.slug}/?lang=fr&lang=es`),
      await send('bracketed query key', `/o/${p.tenant.slug}/?lang[]=fr`),
      await api('overlong local id', 'PUT', `/people/${'x'.repeat(5000)}`, {}),
      await send('unknown content type', '/api/v1/people/HOST-6', {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/x-unknown' },
        body: 'hello',
      }),
      await send('form body to the API', '/api/v1/people/HOST-6', {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'givenNames=x',
      }),
      await send('JSON array body', '/api/v1/people/HOST-6', {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '[1,2]',
      }),
    ];
    expect(odd.filter((r) => r.status >= 500)).toEqual([]);
    // Refused, not half-understood: the API takes JSON objects only.
    expect(odd.slice(-3).map((r) => r.status)).toEqual([415, 415, 400]);
    const host6 = await p.db.pool.query("select id from people where local_id = 'HOST-6'");
    expect(host6.rowCount).toBe(0);
  });

  it('no answer was a 5xx, and the server is healthy', async () => {
    expect(answers.length).toBeGreaterThan(25);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect((await send('health', '/healthz')).status).toBe(200);
    expect((await send('portal', `/o/${p.tenant.slug}/`)).status).toBe(200);
  });
});
