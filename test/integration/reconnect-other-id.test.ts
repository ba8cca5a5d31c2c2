// A put code names an item on one record. A person who disconnects and connects another iD has
// their items written to the new record (not left behind, not ended as deleted_by_researcher by
// a 404 on the old record's put code), and each item keeps the iD its put code belongs to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { clientItems, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let key: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  key = (await p.container.repos.apiKeys.create(p.tenant.id, 'HR feed')).key;
});
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${p.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  return (await res.json()) as any;
}

async function settledOn(sourceKey: string, orcid: string) {
  for (let i = 0; i < 150; i++) {
    const row = await p.db.db
      .selectFrom('items')
      .select(['status', 'put_code', 'put_code_orcid'])
      .where('tenant_id', '=', p.tenant.id)
      .where('source_key', '=', sourceKey)
      .executeTakeFirstOrThrow();
    if (row.put_code_orcid === orcid && !['queued', 'retrying'].includes(row.status)) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${sourceKey} never settled on ${orcid}`);
}

const employment = (role: string) => ({
  section: 'employment',
  payload: { 'role-title': role, 'start-date': { year: { value: '2018' } } },
});

describe('connecting another iD', () => {
  it("writes the person's items to the new record, and later changes go there too", async () => {
    const [first, second] = [await newResearcher(sb.base), await newResearcher(sb.base)];
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'MOVE-1' }));
    expect((await connectInPortal(p, sb.base, web, first.orcid)).status).toBe(303);
    await api('PUT', '/people/MOVE-1/items/move:emp', employment('Lecturer'));
    await api('PUT', '/people/MOVE-1/items/move:kw', {
      section: 'keywords',
      payload: { content: 'Glaciology' },
    });
    const onFirst = await settledOn('move:emp', first.orcid);
    expect(onFirst.status).toBe('in_orcid');
    await settledOn('move:kw', first.orcid);

    const page = await web.get(`${p.tenantUrl}/`);
    expect((await web.post(`${p.tenantUrl}/disconnect`, { _csrf: csrfOf(page.text) })).status).toBe(303);
    expect((await connectInPortal(p, sb.base, web, second.orcid)).status).toBe(303);

    const onSecond = await settledOn('move:emp', second.orcid);
    expect(onSecond.status).toBe('in_orcid');
    const [emp] = await clientItems(sb.base, second.orcid, p.client.clientId, 'employment');
    expect(Number(onSecond.put_code)).toBe(emp!.putCode);
    expect((await settledOn('move:kw', second.orcid)).status).toBe('in_orcid');
    expect(await clientItems(sb.base, second.orcid, p.client.clientId, 'keywords')).toHaveLength(1);

    // A change is an update on the new record, not a 404 on the old one's put code.
    await api('PUT', '/people/MOVE-1/items/move:emp', employment('Senior Lecturer'));
    for (let i = 0; i < 100; i++) {
      const [now] = await clientItems(sb.base, second.orcid, p.client.clientId, 'employment');
      if (now?.json['role-title'] === 'Senior Lecturer') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // ORCID holds the change before the worker has recorded its answer: wait for that too.
    await settledOn('move:emp', second.orcid);
    const after = await api('GET', '/items/move:emp');
    expect([after.status, after.putCode]).toEqual(['in_orcid', emp!.putCode]);
    const onRecord = await clientItems(sb.base, second.orcid, p.client.clientId, 'employment');
    expect(onRecord.map((x) => x.json['role-title'])).toEqual(['Senior Lecturer']);
  }, 60_000);
});
