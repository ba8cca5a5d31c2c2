// Exactly once where ORCID does not help: affiliations and person data get no 409 for a second
// copy, so a POST whose answer was lost after ORCID stored it (5xx, timeout, reset), or a worker
// killed between ORCID's 201 and recording it, must be recognised by the writer itself: it looks
// for its own copy by content and adopts it, and the transport never posts again blindly. A copy
// that already belongs to another of the organisation's items is never adopted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TenantRepository } from '../../src/db/tenant.repository.js';
import { withDefaultOrganisation } from '../../src/domain/item.js';
import { orgOf } from '../../src/services/write-item.service.js';
import { call, control, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { type Connected, startWriteHarness, type WriteHarness } from '../helpers/write-harness.js';

let sb: TestSandbox;
let h: WriteHarness;
let tdb: WriteHarness['tdb'];
let items: WriteHarness['items'];
let service: WriteHarness['service'];

beforeAll(async () => {
  sb = await startTestSandbox();
  h = await startWriteHarness(sb.base, { baseDelayMs: 5, maxDelayMs: 20, attempts: 4, timeoutMs: 1000 });
  ({ tdb, items, service } = h);
});
afterEach(async () => {
  await control(sb.base, 'DELETE', '/faults');
});
afterAll(async () => {
  await h?.close();
  await sb?.close();
});

type Setup = Connected;
const connected = () => h.connected();
const inOrcid = (s: Setup, section: string) => h.inOrcid(s, section);

// As the affiliations CSV states them: no external ids, the organisation by default.
const employment = (role: string) => ({
  'role-title': role,
  'department-name': 'Physics',
  'start-date': { year: { value: '2020' }, month: { value: '03' } },
});

async function stated(s: Setup, sourceKey: string, section: string, payload: Record<string, unknown>) {
  const { item } = await items.upsert(
    s.tenant.id,
    s.personId,
    { section, sourceKey, payload, desired: 'present' },
    true,
  );
  return item;
}

/** Attempts as the queue would make them, until the item is no longer retrying. */
async function writeUntilSettled(s: Setup, itemId: string) {
  for (let i = 0; i < 6; i++) {
    const outcome = await service.write(s.tenant.id, itemId);
    if (outcome?.status !== 'retrying') break;
  }
  return (await items.byId(s.tenant.id, itemId))!;
}

describe('a POST stored by ORCID whose answer was lost', () => {
  it.each([
    ['a 500', { status: 500 }],
    ['a timeout', { timeout: true }],
    ['a reset connection', { reset: true }],
  ])(
    'an employment answered with %s after the store is on the record once, with its put code',
    async (_, fault) => {
      const s = await connected();
      await control(sb.base, 'POST', '/faults', {
        method: 'POST',
        pathPattern: '/employment$',
        rate: 1,
        afterStore: true,
        ...fault,
      });
      const item = await writeUntilSettled(
        s,
        (await stated(s, 'emp-lost', 'employment', employment('Lecturer'))).id,
      );
      await control(sb.base, 'DELETE', '/faults');
      const onRecord = await inOrcid(s, 'employment');
      expect(onRecord).toHaveLength(1);
      expect(item.status).toBe('in_orcid');
      expect(Number(item.put_code)).toBe(onRecord[0]!.putCode);
      expect(item.put_code_orcid).toBe(s.orcidId);
    },
  );

  it('a keyword answered with a 500 after the store is on the record once, with its put code', async () => {
    const s = await connected();
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/keywords$',
      rate: 1,
      afterStore: true,
      status: 500,
    });
    const item = await writeUntilSettled(
      s,
      (await stated(s, 'kw-lost', 'keywords', { content: 'Oceanography' })).id,
    );
    await control(sb.base, 'DELETE', '/faults');
    const onRecord = await inOrcid(s, 'keywords');
    expect(onRecord).toHaveLength(1);
    expect(item.status).toBe('in_orcid');
    expect(Number(item.put_code)).toBe(onRecord[0]!.putCode);
  });

  it('a POST is sent again only after a look at the record found nothing; after a timeout, not in the same attempt', async () => {
    const s = await connected();
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/employment$',
      rate: 1,
      status: 500,
    });
    const item = await stated(s, 'emp-500', 'employment', employment('Reader'));
    const outcome = await service.write(s.tenant.id, item.id);
    expect(outcome?.status).toBe('retrying');
    const calls = await tdb.db
      .selectFrom('orcid_calls')
      .select(['method', 'url'])
      .where('tenant_id', '=', s.tenant.id)
      .where('url', 'like', '%/employment%')
      .orderBy('id')
      .execute();
    // The look before the first POST, then each POST followed by a look: GET POST GET POST GET POST GET.
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST', 'GET', 'POST', 'GET', 'POST', 'GET']);

    const timedOut = await stated(s, 'emp-timeout', 'employment', employment('Tutor'));
    await control(sb.base, 'DELETE', '/faults');
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/employment$',
      rate: 1,
      timeout: true,
    });
    const before = (
      await tdb.db.selectFrom('orcid_calls').select('id').where('method', '=', 'POST').execute()
    ).length;
    expect((await service.write(s.tenant.id, timedOut.id))?.status).toBe('retrying');
    const after = (await tdb.db.selectFrom('orcid_calls').select('id').where('method', '=', 'POST').execute())
      .length;
    expect(after - before).toBe(1);
    await control(sb.base, 'DELETE', '/faults');
    expect((await writeUntilSettled(s, item.id)).status).toBe('in_orcid');
    expect((await writeUntilSettled(s, timedOut.id)).status).toBe('in_orcid');
    expect(await inOrcid(s, 'employment')).toHaveLength(2);
  });
});

describe('a worker killed between ORCID’s 201 and recording it', () => {
  it('the next attempt adopts the employment it posted instead of posting a second one', async () => {
    const s = await connected();
    const item = await stated(s, 'emp-crash', 'employment', employment('Professor'));
    // The dead worker's attempt: it took the item, and its POST reached ORCID.
    await items.claimMany(s.tenant.id, [item.id], 1);
    const tenant = (await new TenantRepository(tdb.db, h.ring).byId(s.tenant.id))!;
    const res = await call(`${sb.api}/v3.0/${s.orcidId}/employment`, {
      method: 'POST',
      token: s.token,
      body: withDefaultOrganisation('employment', employment('Professor'), orgOf(tenant)),
    });
    expect(res.status).toBe(201);
    await new Promise((r) => setTimeout(r, 10));
    const outcome = await service.write(s.tenant.id, item.id);
    expect(outcome?.action).toBe('adopt');
    const onRecord = await inOrcid(s, 'employment');
    expect(onRecord).toHaveLength(1);
    expect(Number((await items.byId(s.tenant.id, item.id))!.put_code)).toBe(onRecord[0]!.putCode);
  });
});

describe('a copy that belongs to another item', () => {
  it('two items of the same content for one person each get their own copy', async () => {
    const s = await connected();
    const a = await stated(s, 'emp-a', 'employment', employment('Lecturer'));
    expect((await service.write(s.tenant.id, a.id))?.action).toBe('create');
    const b = await stated(s, 'emp-b', 'employment', employment('Lecturer'));
    // b was tried before (so it reads the record afresh) and finds a's copy: not its own.
    await items.claimMany(s.tenant.id, [b.id], 1);
    await new Promise((r) => setTimeout(r, 10));
    expect((await service.write(s.tenant.id, b.id))?.action).toBe('create');
    const onRecord = await inOrcid(s, 'employment');
    expect(onRecord).toHaveLength(2);
    const [pa, pb] = [(await items.byId(s.tenant.id, a.id))!, (await items.byId(s.tenant.id, b.id))!];
    expect(new Set([Number(pa.put_code), Number(pb.put_code)])).toEqual(
      new Set(onRecord.map((x) => x.putCode)),
    );
  });
});
