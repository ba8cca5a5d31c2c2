// The REST API for the organisation's systems, over real HTTP with the worker writing to the
// simulator: API keys, people and items stated by local id and source key (idempotent), item
// status and put code, deletion, validation errors that name the field, tenant isolation, and
// the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { clientItems, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let p: TestPortal;
let key: string;
let orcid: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  key = (await p.container.repos.apiKeys.create(p.tenant.id, 'HR feed')).key;
  // Ada signs in and connects; the HR system knows her as employee API-ADA.
  const researcher = await newResearcher(sb.base);
  orcid = researcher.orcid;
  const { web } = await signInToPortal(
    p,
    await p.addPerson({ employeeId: 'API-ADA', givenNames: 'Ada', familyName: 'Lovelace' }),
  );
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
}, 30_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

async function api(method: string, path: string, body?: unknown, apiKey: string | null = key) {
  const res = await fetch(`${p.base}/api/v1${path}`, {
    method,
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  return { status: res.status, json: (await res.json()) as any };
}

async function settled(sourceKey: string, from = ['queued', 'retrying']) {
  for (let i = 0; i < 100; i++) {
    const r = await api('GET', `/items/${sourceKey}`);
    if (!from.includes(r.json.status)) return r.json;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${sourceKey} never settled`);
}

const works = () => clientItems(sb.base, orcid, p.client.clientId, 'work');

const work = (title: string) => ({
  section: 'work',
  payload: {
    title: { title: { value: title } },
    type: 'journal-article',
    'external-ids': {
      'external-id': [
        {
          'external-id-type': 'doi',
          'external-id-value': '10.5555/api.1',
          'external-id-relationship': 'self',
        },
      ],
    },
  },
});

describe('/api/v1', () => {
  it('refuses requests without a valid key', async () => {
    expect((await api('GET', '/items/x', undefined, null)).status).toBe(401);
    expect((await api('GET', '/items/x', undefined, 'lk_forged')).status).toBe(401);
  });

  it('states a person, then an item that is written to ORCID; the same item twice writes once; a change updates; DELETE removes it', async () => {
    const person = await api('PUT', '/people/API-ADA', {
      email: 'ada@test.example.edu',
      employment: { status: 'current', start: '2020-01-01' },
    });
    expect(person.status).toBe(200);
    const first = await api('PUT', '/people/API-ADA/items/cris:pub:1', work('On the Analytical Engine'));
    expect(first.status).toBe(200);
    expect(first.json.status).toBe('queued');
    const written = await settled('cris:pub:1');
    expect(written.status).toBe('in_orcid');
    expect((await works()).map((w) => w.putCode)).toEqual([written.putCode]);

    const again = await api('PUT', '/people/API-ADA/items/cris:pub:1', work('On the Analytical Engine'));
    expect(again.json.status).toBe('in_orcid');
    expect(await works()).toHaveLength(1);

    await api('PUT', '/people/API-ADA/items/cris:pub:1', work('Notes on the Analytical Engine'));
    const updated = await settled('cris:pub:1');
    expect(updated.putCode).toBe(written.putCode);
    const [w] = await works();
    expect((w!.json.title as { title: { value: string } }).title.value).toBe(
      'Notes on the Analytical Engine',
    );

    const list = await api('GET', '/people/API-ADA/items');
    expect(list.json.items.map((i: { sourceKey: string }) => i.sourceKey)).toEqual(['cris:pub:1']);

    expect((await api('DELETE', '/items/cris:pub:1')).status).toBe(200);
    const deleted = await settled('cris:pub:1');
    expect([deleted.status, deleted.putCode]).toEqual(['deleted', null]);
    expect(await works()).toHaveLength(0);
  }, 30_000);

  it('a leaver: every employment the organisation wrote gets the end date by PUT', async () => {
    await api('PUT', '/people/API-ADA/items/hr:pos:1', {
      section: 'employment',
      payload: { 'role-title': 'Research Fellow', 'start-date': { year: { value: '2020' } } },
    });
    const before = await settled('hr:pos:1');
    expect(before.status).toBe('in_orcid');
    const left = await api('PUT', '/people/API-ADA', {
      employment: { status: 'left', start: '2020-01-01', end: '2026-06-30' },
    });
    expect(left.status).toBe(200);
    const after = await settled('hr:pos:1');
    expect([after.status, after.putCode]).toEqual(['in_orcid', before.putCode]);
    const [employment] = await clientItems(sb.base, orcid, p.client.clientId, 'employment');
    expect(employment!.json['end-date']).toMatchObject({
      year: { value: '2026' },
      month: { value: '06' },
      day: { value: '30' },
    });
  }, 20_000);

  it('names every field at fault and writes nothing', async () => {
    const bad = await api('PUT', '/people/API-ADA', {
      email: 'not-an-email',
      employment: { status: 'retired', start: '2020-02-30' },
      shoeSize: 9,
    });
    expect(bad.status).toBe(400);
    const fields = bad.json.problems.map((x: { field: string }) => x.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'employment.status', 'employment.start']));
    expect(bad.json.problems.some((x: { message: string }) => /shoeSize/.test(x.message))).toBe(true);
    const order = await api('PUT', '/people/API-ADA', {
      employment: { status: 'left', start: '2020-01-01', end: '2019-12-31' },
    });
    expect(order.json.problems).toEqual([{ field: 'employment.end', message: 'end is before start' }]);
    const section = await api('PUT', '/people/API-ADA/items/x', { section: 'biography', payload: {} });
    expect(section.json.problems[0].field).toBe('section');
    expect((await api('GET', '/items/x')).status).toBe(404);
  });

  it("an unknown person, or another organisation's items, answer 404", async () => {
    expect((await api('PUT', '/people/NOBODY/items/k1', work('x'))).status).toBe(404);
    const other = await p.addTenant({});
    const otherKey = (await p.container.repos.apiKeys.create(other.id, 'other')).key;
    await api('PUT', '/people/API-ADA/items/cris:pub:2', work('Mine'));
    expect((await api('GET', '/items/cris:pub:2', undefined, otherKey)).status).toBe(404);
    expect((await api('GET', '/people/API-ADA/items', undefined, otherKey)).status).toBe(404);
  });

  it('with employmentOnConnect, the employment HR stated is written once the person connects', async () => {
    const t = await p.addTenant({ slug: 'hr-on-connect', employmentOnConnect: true });
    const hrKey = (await p.container.repos.apiKeys.create(t.id, 'HR feed')).key;
    const hr = await api(
      'PUT',
      '/people/HR-1',
      { employment: { status: 'current', start: '2019-09-01' } },
      hrKey,
    );
    expect(hr.status).toBe(200);
    expect((await api('GET', '/people/HR-1/items', undefined, hrKey)).json.items).toEqual([]);

    const researcher = await newResearcher(sb.base);
    const portal = { tenantUrl: `${p.base}/o/${t.slug}` };
    const { web } = await signInToPortal(portal, await p.addPerson({ employeeId: 'HR-1' }, t.id));
    expect((await connectInPortal(portal, sb.base, web, researcher.orcid)).status).toBe(303);
    let item = (await api('GET', '/items/hr-employment:HR-1', undefined, hrKey)).json;
    for (let i = 0; i < 100 && item.status !== 'in_orcid'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      item = (await api('GET', '/items/hr-employment:HR-1', undefined, hrKey)).json;
    }
    expect(item).toMatchObject({ section: 'employment', status: 'in_orcid' });
    const [emp] = await clientItems(sb.base, researcher.orcid, t.client_id, 'employment');
    expect(emp!.putCode).toBe(item.putCode);
    expect(emp!.json).toMatchObject({
      'start-date': { year: { value: '2019' }, month: { value: '09' }, day: { value: '01' } },
      organization: { name: 'Test University' },
    });
  });

  it('40 concurrent pairs stating one new source key for two people: one answer each is 200, never a cross-write', async () => {
    await api('PUT', '/people/RACE-A', { givenNames: 'Alice' });
    await api('PUT', '/people/RACE-B', { givenNames: 'Bob' });
    const keyword = (who: string) => ({ section: 'keywords', payload: { content: `stated for ${who}` } });
    const pairs = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        Promise.all(
          ['A', 'B'].map(async (who) => ({
            who,
            res: await api('PUT', `/people/RACE-${who}/items/race:${i}`, keyword(who)),
          })),
        ),
      ),
    );
    const rows = await p.db.db
      .selectFrom('items')
      .innerJoin('people', 'people.id', 'items.person_id')
      .select(['items.source_key', 'items.payload', 'people.local_id'])
      .where('items.tenant_id', '=', p.tenant.id)
      .where('items.source_key', 'like', 'race:%')
      .execute();
    expect(rows).toHaveLength(40);
    for (const [i, pair] of pairs.entries()) {
      expect(pair.map((x) => x.res.status).sort(), `pair ${i}`).toEqual([200, 404]);
      const winner = pair.find((x) => x.res.status === 200)!.who;
      const row = rows.find((r) => r.source_key === `race:${i}`)!;
      // The item belongs to whoever stated it first, with their payload.
      expect([row.local_id, row.payload.content]).toEqual([`RACE-${winner}`, `stated for ${winner}`]);
    }
  });

  it('serves its OpenAPI document', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: reading a JSON document
    const doc: any = await (await fetch(`${p.base}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/people/{localId}',
        '/api/v1/people/{localId}/items/{sourceKey}',
        '/api/v1/items/{sourceKey}',
      ]),
    );
    expect(doc.components.schemas.ItemInput.properties.section.enum).toContain('employment');
  });
});
