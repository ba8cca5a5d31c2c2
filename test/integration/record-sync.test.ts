// Collect and Synchronize against the simulator over HTTP: a read of a connected record fills the
// collected copy (own items joined to the organisation's, other sources' items kept), an unchanged
// record costs one ORCID call, an item the researcher deleted becomes deleted_by_researcher at
// once and is never written again, a revoked token ends the link, and every change is in the feed
// and the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { control, researcherState, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { type Connected, startWriteHarness, type WriteHarness } from '../helpers/write-harness.js';

let sb: TestSandbox;
let h: WriteHarness;

beforeAll(async () => {
  sb = await startTestSandbox();
  h = await startWriteHarness(sb.base, { baseDelayMs: 5, maxDelayMs: 20, attempts: 3, timeoutMs: 2000 });
});
afterAll(async () => {
  await h?.close();
  await sb?.close();
});

const employment = (role: string) => ({
  'role-title': role,
  'department-name': 'Physics',
  'start-date': { year: { value: '2020' }, month: { value: '03' } },
});

async function written(s: Connected, sourceKey: string, role: string) {
  const { item } = await h.items.upsert(
    s.tenant.id,
    s.personId,
    { section: 'employment', sourceKey, payload: employment(role), desired: 'present' },
    true,
  );
  const outcome = await h.service.write(s.tenant.id, item.id);
  expect(outcome?.status).toBe('in_orcid');
  return (await h.items.byId(s.tenant.id, item.id))!;
}

const linkOf = async (s: Connected) => (await h.container.repos.links.activeFor(s.tenant.id, s.personId))!;
const calls = async (s: Connected) =>
  Number(
    (
      await h.tdb.db
        .selectFrom('orcid_calls')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', s.tenant.id)
        .executeTakeFirstOrThrow()
    ).n,
  );
const feed = async (s: Connected) =>
  (await h.container.repos.records.changesAfter(s.tenant.id, '0', 1000)).map((c) =>
    `${c.kind} ${c.section ?? ''}`.trim(),
  );

describe('the collected record', () => {
  it("holds the organisation's own items (joined to its items) and other sources' items", async () => {
    const s = await connected();
    const mine = await written(s, 'emp-1', 'Lecturer');
    await control(sb.base, 'POST', `/researchers/${s.orcidId}/items`, {
      section: 'work',
      item: { title: { title: { value: 'Written by the researcher' } }, type: 'journal-article' },
    });
    const link = await linkOf(s);
    expect(await h.container.sync.recordSync.sync(s.tenant.id, link.id)).toMatchObject({ kind: 'changed' });

    const rows = await h.container.repos.records.items(s.tenant.id, link.id);
    const employment = rows.find((r) => r.section === 'employment')!;
    expect(employment).toMatchObject({
      own: true,
      source_key: 'emp-1',
      put_code: mine.put_code,
      role: 'Lecturer',
      department: 'Physics',
      organisation: 'Wakanda University',
      start_date: '2020-03',
      source_client_id: s.client.clientId,
    });
    const work = rows.find((r) => r.section === 'work')!;
    expect(work).toMatchObject({ own: false, source_key: null, title: 'Written by the researcher' });
    expect(work.source_orcid).toBe(s.orcidId);
    expect(rows.some((r) => r.section === 'name')).toBe(true);
    expect(await feed(s)).toEqual(expect.arrayContaining(['item.added employment', 'item.added work']));
    expect((await linkOf(s)).synced_at).not.toBeNull();
  });

  it('an unchanged record costs one ORCID call and notes nothing', async () => {
    const s = await connected();
    await written(s, 'emp-1', 'Lecturer');
    const link = await linkOf(s);
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    const before = { calls: await calls(s), feed: await feed(s) };
    expect(await h.container.sync.recordSync.sync(s.tenant.id, link.id)).toEqual({ kind: 'unchanged' });
    expect(await calls(s)).toBe(before.calls + 1);
    expect(await feed(s)).toEqual(before.feed);
  });

  it('a change by another source, or a visibility change, is in the copy and the feed', async () => {
    const s = await connected();
    const link = await linkOf(s);
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    const { putCode } = await control<{ putCode: number }>(
      sb.base,
      'POST',
      `/researchers/${s.orcidId}/items`,
      {
        section: 'keywords',
        item: { content: 'glaciology' },
        visibility: 'public',
      },
    );
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    await control(sb.base, 'PUT', `/researchers/${s.orcidId}/items/keywords/${putCode}`, {
      item: { content: 'glaciology' },
      visibility: 'limited',
    });
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    const changes = await h.container.repos.records.changesAfter(s.tenant.id, '0', 100);
    const visibility = changes.find((c) => c.kind === 'item.visibility')!;
    expect(visibility).toMatchObject({ section: 'keywords', put_code: String(putCode), own: false });
    expect(visibility.detail).toEqual({ from: 'public', to: 'limited' });
    const keyword = (await h.container.repos.records.items(s.tenant.id, link.id)).find(
      (r) => r.section === 'keywords',
    )!;
    expect(keyword).toMatchObject({ value: 'glaciology', visibility: 'limited' });
  });
});

describe('synchronising what the researcher did at ORCID', () => {
  it("the local name follows the record's published name only where the organisation wants it", async () => {
    const following = await connected();
    await h.container.repos.tenants.update(following.tenant.id, { sync: { followOrcidName: true } });
    h.container.tenantDirectory.changed(following.tenant.id);
    const other = await connected();
    for (const s of [following, other])
      await h.container.sync.recordSync.sync(s.tenant.id, (await linkOf(s)).id);

    const named = (await h.container.repos.people.byId(following.tenant.id, following.personId))!;
    // The simulator's researchers publish "Josiah Carberry<n>".
    expect(named.given_names).toBe('Josiah');
    expect(named.family_name).toMatch(/^Carberry\d+$/);
    expect((await h.container.repos.people.byId(other.tenant.id, other.personId))!.given_names).toBeNull();
  });

  it('an employment the organisation wrote and the researcher deleted is deleted_by_researcher at once, and never written again', async () => {
    const s = await connected();
    const item = await written(s, 'emp-1', 'Lecturer');
    const link = await linkOf(s);
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    await control(sb.base, 'DELETE', `/researchers/${s.orcidId}/items/employment/${item.put_code}`);

    expect(await h.container.sync.recordSync.sync(s.tenant.id, link.id)).toMatchObject({
      kind: 'changed',
      deletedByResearcher: 1,
    });
    const after = (await h.items.byId(s.tenant.id, item.id))!;
    expect(after.status).toBe('deleted_by_researcher');
    expect(await feed(s)).toEqual(
      expect.arrayContaining(['item.removed employment', 'item.deleted_by_researcher employment']),
    );
    const [gone] = (await h.container.repos.records.changesAfter(s.tenant.id, '0', 100)).filter(
      (c) => c.kind === 'item.deleted_by_researcher',
    );
    expect(gone).toMatchObject({ source_key: 'emp-1', own: true, put_code: item.put_code });
    expect(
      (await h.container.repos.records.items(s.tenant.id, link.id)).some((r) => r.section === 'employment'),
    ).toBe(false);

    // Neither a new attempt nor the same row stated again puts it back.
    await h.service.write(s.tenant.id, item.id);
    await h.items.upsert(
      s.tenant.id,
      s.personId,
      { section: 'employment', sourceKey: 'emp-1', payload: employment('Lecturer'), desired: 'present' },
      true,
    );
    await h.service.write(s.tenant.id, item.id);
    expect(await h.inOrcid(s, 'employment')).toHaveLength(0);
    expect((await h.items.byId(s.tenant.id, item.id))!.status).toBe('deleted_by_researcher');
  });

  it('a write that lands after the read began is not taken for a deletion', async () => {
    const s = await connected();
    const link = await linkOf(s);
    const readBefore = new Date(Date.now() - 60_000);
    const item = await written(s, 'emp-late', 'Lecturer');
    // As if the read had begun a minute ago and missed the item: it was written after.
    const gone = await h.items.goneFromRecord(s.tenant.id, s.personId, s.orcidId, [], readBefore);
    expect(gone).toEqual([]);
    expect((await h.items.byId(s.tenant.id, item.id))!.status).toBe('in_orcid');
    expect(link.status).toBe('active');
  });

  it('a token revoked at ORCID ends the link and stops the items waiting to be written', async () => {
    const s = await connected();
    const item = await written(s, 'emp-1', 'Lecturer');
    const { item: waiting } = await h.items.upsert(
      s.tenant.id,
      s.personId,
      { section: 'employment', sourceKey: 'emp-2', payload: employment('Dean'), desired: 'present' },
      true,
    );
    expect(waiting.status).toBe('queued');
    const link = await linkOf(s);
    await control(sb.base, 'POST', `/researchers/${s.orcidId}/revoke`, { clientId: s.client.clientId });
    expect(await h.container.sync.recordSync.sync(s.tenant.id, link.id)).toEqual({ kind: 'revoked' });
    const ended = (await h.container.repos.links.byId(s.tenant.id, link.id))!;
    expect(ended).toMatchObject({ status: 'revoked', revoked_by: 'orcid' });
    expect((await h.items.byId(s.tenant.id, waiting.id))!.status).toBe('revoked');
    // Written before: still on the record, as ORCID keeps it.
    expect((await h.items.byId(s.tenant.id, item.id))!.status).toBe('in_orcid');
    expect(await feed(s)).toContain('link.revoked');
    // Nothing left to read.
    expect(await h.container.sync.recordSync.sync(s.tenant.id, link.id)).toEqual({ kind: 'inactive' });
  });
});

describe('the sync engine’s own read token', () => {
  it('reads with a /read-limited token issued from the refresh token, kept sealed; disconnecting revokes both', async () => {
    const s = await connected();
    const link = await linkOf(s);
    const tokens = async () =>
      (await researcherState(sb.base, s.orcidId)).tokens.filter((t) => t.clientId === s.client.clientId);
    const before = await tokens();
    expect(before).toHaveLength(1);
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);

    const after = await tokens();
    const read = after.find((t) => t.scope === '/read-limited')!;
    const granted = after.find((t) => t.scope !== '/read-limited')!;
    expect(read.uses).toBe(2);
    expect(granted.uses).toBe(before[0]!.uses);
    const readToken = (await h.container.repos.links.readTokenOf(s.tenant.id, link.id))!;
    expect(readToken.scope).toBe('/read-limited');
    const row = await h.tdb.db
      .selectFrom('orcid_links')
      .select('read_token_sealed')
      .where('id', '=', link.id)
      .executeTakeFirstOrThrow();
    expect(row.read_token_sealed).not.toContain(readToken.access_token);

    const r = await h.container.disconnect.disconnect(s.tenant, s.personId, `person:${s.personId}`);
    expect(r).toMatchObject({ ok: true, revokedAtOrcid: true });
    expect((await tokens()).every((t) => t.disabled)).toBe(true);
    expect(await h.container.repos.links.readTokenOf(s.tenant.id, link.id)).toBeNull();
  });

  it('a link without /read-limited reads with its own token, and collects what that token may read', async () => {
    const s = await connected('json', '/activities/update');
    const link = await linkOf(s);
    expect(await h.container.sync.recordSync.sync(s.tenant.id, link.id)).toMatchObject({ kind: 'changed' });
    expect(await h.container.repos.links.readTokenOf(s.tenant.id, link.id)).toBeNull();
  });
});

describe('the API for the organisation’s systems', () => {
  it('lists people with their links (never a token), gives the collected record by section, and the change feed by cursor', async () => {
    const s = await connected();
    await written(s, 'emp-1', 'Lecturer');
    const link = await linkOf(s);
    await h.container.sync.recordSync.sync(s.tenant.id, link.id);
    const key = (await h.container.repos.apiKeys.create(s.tenant.id, 'CRIS')).key;
    const app = buildApp(h.container);
    const get = async (url: string) => {
      const res = await app.inject({ url, headers: { authorization: `Bearer ${key}` } });
      return { status: res.statusCode, json: res.json(), text: res.body };
    };
    try {
      const people = await get('/api/v1/people?status=active');
      expect(people.status).toBe(200);
      expect(people.json.people).toHaveLength(1);
      expect(people.json.people[0].link).toMatchObject({
        orcid: s.orcidId,
        status: 'active',
        orcidUri: `${sb.base}/${s.orcidId}`,
      });
      expect(people.json.people[0].link.lastSynchronisedAt).toBeTruthy();
      expect(people.text).not.toContain(s.token);
      expect((await get('/api/v1/people?status=none')).json.people).toEqual([]);

      const localId = people.json.people[0].localId;
      const record = await get(`/api/v1/people/${localId}/record`);
      expect(record.status).toBe(200);
      expect(record.json.sections.employment[0]).toMatchObject({
        sourceKey: 'emp-1',
        source: { own: true, clientId: s.client.clientId },
        role: 'Lecturer',
      });
      expect(record.text).not.toContain(s.token);
      expect((await get('/api/v1/people/nobody/record')).status).toBe(404);

      const first = await get('/api/v1/changes?limit=1');
      expect(first.json.changes).toHaveLength(1);
      const rest = await get(`/api/v1/changes?after=${first.json.next}`);
      expect(rest.json.changes.length).toBeGreaterThan(0);
      expect(rest.json.changes[0].cursor).not.toBe(first.json.changes[0].cursor);
      const end = await get(`/api/v1/changes?after=${rest.json.next}`);
      expect(end.json).toEqual({ changes: [], next: rest.json.next });
      const bad = await get('/api/v1/changes?after=not-a-cursor!');
      expect(bad.status).toBe(400);
      expect(bad.json.error).toBe('invalid_path');
    } finally {
      await app.close();
    }
  });
});

const connected = (format: 'json' | 'xml' = 'json', scope?: string) => h.connected(format, scope);
