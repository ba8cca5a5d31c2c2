// Writing through the queue while ORCID misbehaves: 10% 5xx, some requests never answered
// (timeouts), 503s, and writes stored whose answer is lost (5xx, timeout, reset after the store).
// Every item (works, CSV-style employments, keywords) ends `in_orcid`, each exactly once in the
// simulator, with its put code stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenResponse } from '../../src/orcid/oauth.js';
import { startPortal, type TestPortal } from '../helpers/portal.js';
import {
  clientItems,
  control,
  form,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let p: TestPortal;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true, transport: { attempts: 3, timeoutMs: 700 } });
});
afterAll(async () => {
  await control(sb.base, 'DELETE', '/faults').catch(() => undefined);
  await p?.close();
  await sb?.close();
});

/** A person of the tenant with an iD connected through ORCID's OAuth (approved headlessly). */
async function connectedPerson(i: number): Promise<{ personId: string; orcid: string; token: string }> {
  const researcher = await newResearcher(sb.base);
  const person = (await p.container.repos.people.upsertFromSignIn(p.tenant.id, {
    employeeId: `F${i}`,
  }))!;
  const { location } = await control<{ location: string }>(sb.base, 'POST', '/authorize', {
    orcid: researcher.orcid,
    clientId: p.client.clientId,
    scope: p.tenant.scopes,
    redirectUri: p.tenant.redirect_uri,
    state: 's',
  });
  const res = await fetch(
    `${sb.base}/oauth/token`,
    form({
      client_id: p.client.clientId,
      client_secret: p.client.clientSecret,
      grant_type: 'authorization_code',
      code: new URL(location).searchParams.get('code')!,
      redirect_uri: p.tenant.redirect_uri,
    }),
  );
  const token = (await res.json()) as TokenResponse;
  await p.container.repos.links.create(p.tenant.id, person.id, token);
  return { personId: person.id, orcid: researcher.orcid, token: token.access_token };
}

const work = (i: number | string) => ({
  title: { title: { value: `Work ${i}` } },
  type: 'journal-article',
  'external-ids': {
    'external-id': [
      {
        'external-id-type': 'doi',
        'external-id-value': `10.5555/fault.${i}`,
        'external-id-relationship': 'self',
      },
    ],
  },
});

/** Works (self DOIs), employments as the CSV states them (no external ids) and keywords, in turn. */
function faultItem(i: number): { section: string; payload: Record<string, unknown> } {
  if (i % 4 === 1)
    return {
      section: 'employment',
      payload: { 'role-title': `Fault role ${i}`, 'start-date': { year: { value: '2019' } } },
    };
  if (i % 4 === 3) return { section: 'keywords', payload: { content: `fault keyword ${i}` } };
  return { section: 'work', payload: work(i) };
}

describe('faults', () => {
  it('with 10% 5xx, timeouts, 503s and answers lost after the store, every work, employment and keyword ends in_orcid once', async () => {
    const people = [await connectedPerson(1), await connectedPerson(2), await connectedPerson(3)];
    await control(sb.base, 'POST', '/faults', { pathPattern: '^/api/v3\\.0/', status: 500, rate: 0.1 });
    await control(sb.base, 'POST', '/faults', { pathPattern: '^/api/v3\\.0/', status: 503, rate: 0.05 });
    await control(sb.base, 'POST', '/faults', { pathPattern: '^/api/v3\\.0/', timeout: true, rate: 0.03 });
    // Writes ORCID stores whose answer is lost on the way: a 5xx, no answer, a dropped connection.
    const writes = '^/api/v3\\.0/.*/(work|employment|keywords)$';
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: writes,
      afterStore: true,
      status: 500,
      rate: 0.1,
    });
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: writes,
      afterStore: true,
      timeout: true,
      rate: 0.05,
    });
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: writes,
      afterStore: true,
      reset: true,
      rate: 0.05,
    });
    const items = p.container.repos.items;
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const person = people[i % 3]!;
      const { section, payload } = faultItem(i);
      const { item } = await items.upsert(
        p.tenant.id,
        person.personId,
        { section, sourceKey: `fault-${i}`, payload, desired: 'present' },
        true,
      );
      ids.push(item.id);
    }
    await p.container.workPorts.writes.enqueueWrites(p.tenant.id, ids);
    const deadline = Date.now() + 90_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = (
        await p.db.db.selectFrom('items').select('status').where('tenant_id', '=', p.tenant.id).execute()
      ).map((r) => r.status);
      if (statuses.every((s) => s === 'in_orcid')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await control(sb.base, 'DELETE', '/faults');
    expect(statuses.filter((s) => s !== 'in_orcid')).toEqual([]);

    const stored = await p.db.db
      .selectFrom('items')
      .select(['source_key', 'put_code', 'person_id', 'section'])
      .where('tenant_id', '=', p.tenant.id)
      .execute();
    for (const person of people)
      for (const section of ['work', 'employment', 'keywords']) {
        const onRecord = await clientItems(sb.base, person.orcid, p.client.clientId, section);
        const mine = stored
          .filter((s) => s.person_id === person.personId && s.section === section)
          .map((s) => Number(s.put_code))
          .sort();
        expect(mine.length, section).toBeGreaterThan(0);
        expect(onRecord.map((w) => w.putCode).sort(), section).toEqual(mine);
      }
    // The faults really happened: some attempts failed and were retried.
    const failedCalls = await p.db.db
      .selectFrom('orcid_calls')
      .select('id')
      .where('tenant_id', '=', p.tenant.id)
      .where((eb) => eb.or([eb('status', '>=', 500), eb('status', 'is', null)]))
      .execute();
    expect(failedCalls.length).toBeGreaterThan(3);
  }, 120_000);

  it("a revocation in the middle of a run: that person's items become revoked after at most one attempt each; the others are written", async () => {
    const [a, b] = [await connectedPerson(10), await connectedPerson(11)];
    // Slow POSTs, so that the run is still going when the researcher revokes.
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/work$',
      rate: 1,
      latencyMs: 100,
    });
    const items = p.container.repos.items;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      for (const [who, person] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const { item } = await items.upsert(
          p.tenant.id,
          person.personId,
          {
            section: 'work',
            sourceKey: `rev-${who}-${i}`,
            payload: work(`rev-${who}-${i}`),
            desired: 'present',
          },
          true,
        );
        ids.push(item.id);
      }
    await p.container.workPorts.writes.enqueueWrites(p.tenant.id, ids);
    const of = async (personId: string) =>
      p.db.db
        .selectFrom('items')
        .select(['status', 'attempts'])
        .where('tenant_id', '=', p.tenant.id)
        .where('person_id', '=', personId)
        .execute();
    for (let i = 0; i < 200 && (await of(a.personId)).filter((x) => x.status === 'in_orcid').length < 5; i++)
      await new Promise((r) => setTimeout(r, 50));
    const revoke = await fetch(
      `${sb.base}/oauth/revoke`,
      form({ client_id: p.client.clientId, client_secret: p.client.clientSecret, token: a.token }),
    );
    expect(revoke.status).toBe(200);
    for (let i = 0; i < 600; i++) {
      const all = [...(await of(a.personId)), ...(await of(b.personId))];
      if (all.every((x) => x.status !== 'queued' && x.status !== 'retrying')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await control(sb.base, 'DELETE', '/faults');

    const mine = await of(a.personId);
    const revoked = mine.filter((x) => x.status === 'revoked');
    expect(revoked.length).toBeGreaterThan(0);
    expect(mine.filter((x) => x.status !== 'revoked' && x.status !== 'in_orcid')).toEqual([]);
    expect(revoked.filter((x) => x.attempts > 1)).toEqual([]);
    const written = mine.length - revoked.length;
    expect(await clientItems(sb.base, a.orcid, p.client.clientId, 'work')).toHaveLength(written);
    expect((await of(b.personId)).filter((x) => x.status !== 'in_orcid')).toEqual([]);
    expect(await clientItems(sb.base, b.orcid, p.client.clientId, 'work')).toHaveLength(40);
  }, 120_000);
});
