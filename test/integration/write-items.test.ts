// Writing items to ORCID records against the simulator: create (with the organisation's identity
// by default), no write when nothing changed, update by PUT when the content changed, delete when
// absent; adopting this client's own copy instead of a second POST; and ORCID's answers as item
// statuses (researcher deletion, revoked token, invalid payload, transient failures). JSON and XML.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonRepository } from '../../src/db/person.repository.js';
import { call, control, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { type Connected, startWriteHarness, type WriteHarness } from '../helpers/write-harness.js';

let sb: TestSandbox;
let h: WriteHarness;
let tdb: WriteHarness['tdb'];
let items: WriteHarness['items'];
let service: WriteHarness['service'];
let n = 0;

beforeAll(async () => {
  sb = await startTestSandbox();
  h = await startWriteHarness(sb.base, { baseDelayMs: 5, maxDelayMs: 20, attempts: 2 });
  ({ tdb, items, service } = h);
});
afterAll(async () => {
  await h?.close();
  await sb?.close();
});

type Setup = Connected;
const connected = (wireFormat: 'json' | 'xml' = 'json') => {
  n++;
  return h.connected(wireFormat);
};
const inOrcid = (s: Setup, section: string) => h.inOrcid(s, section);

const employment = (role: string) => ({
  'role-title': role,
  'department-name': 'Physics',
  'start-date': { year: { value: '2020' } },
});
const work = (title: string, doi: string) => ({
  title: { title: { value: title } },
  type: 'journal-article',
  'external-ids': {
    'external-id': [
      { 'external-id-type': 'doi', 'external-id-value': doi, 'external-id-relationship': 'self' },
    ],
  },
});

async function state(
  s: Setup,
  sourceKey: string,
  payload: Record<string, unknown>,
  section: string,
  desired: 'present' | 'absent' = 'present',
) {
  const { item, queued } = await items.upsert(
    s.tenant.id,
    s.personId,
    { section, sourceKey, payload, desired },
    true,
  );
  const outcome = queued ? await service.write(s.tenant.id, item.id) : null;
  return { item: (await items.byId(s.tenant.id, item.id))!, outcome, queued };
}

describe.each(['json', 'xml'] as const)('writing over %s', (format) => {
  it('an employment: created with the organisation by default, kept, updated by PUT, deleted', async () => {
    const s = await connected(format);
    const first = await state(s, 'emp-1', employment('Lecturer'), 'employment');
    expect(first.item.status).toBe('in_orcid');
    expect(first.outcome?.action).toBe('create');
    const [created] = await inOrcid(s, 'employment');
    expect(Number(first.item.put_code)).toBe(created!.putCode);
    expect(created!.json).toMatchObject({
      'role-title': 'Lecturer',
      organization: {
        name: 'Wakanda University',
        address: { city: 'Birnin Zana', country: 'NZ' },
        'disambiguated-organization': { 'disambiguation-source': 'ROR' },
      },
    });

    const again = await state(s, 'emp-1', employment('Lecturer'), 'employment');
    expect(again.queued).toBe(false);
    expect(again.item.status).toBe('in_orcid');

    const changed = await state(s, 'emp-1', employment('Senior Lecturer'), 'employment');
    expect(changed.outcome?.action).toBe('update');
    const after = await inOrcid(s, 'employment');
    expect(after).toHaveLength(1);
    expect(after[0]!.json['role-title']).toBe('Senior Lecturer');

    const gone = await state(s, 'emp-1', employment('Senior Lecturer'), 'employment', 'absent');
    expect(gone.item.status).toBe('deleted');
    expect(gone.item.put_code).toBeNull();
    expect(await inOrcid(s, 'employment')).toHaveLength(0);
    const events = await tdb.db
      .selectFrom('item_events')
      .select(['action', 'status'])
      .where('item_id', '=', first.item.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { action: 'create', status: 'in_orcid' },
      { action: 'update', status: 'in_orcid' },
      { action: 'delete', status: 'deleted' },
    ]);
  });

  it('a work already on the record from this client is adopted, never posted twice', async () => {
    const s = await connected(format);
    // An earlier attempt reached ORCID but its answer was lost (a crash before our commit).
    const res = await call(`${sb.api}/v3.0/${s.orcidId}/work`, {
      method: 'POST',
      token: s.token,
      body: work('Old title', '10.5555/adopt'),
    });
    expect(res.status).toBe(201);
    const w = await state(s, 'work-adopt', work('New title', '10.5555/adopt'), 'work');
    expect(w.outcome?.action).toBe('adopt');
    const works = await inOrcid(s, 'work');
    expect(works).toHaveLength(1);
    expect(Number(w.item.put_code)).toBe(works[0]!.putCode);
    expect((works[0]!.json.title as { title: { value: string } }).title.value).toBe('New title');
  });
});

describe("ORCID's answers as statuses", () => {
  it('a researcher deletion is respected: deleted_by_researcher, and never re-created', async () => {
    const s = await connected();
    const w = await state(s, 'w-del', work('Deleted by her', '10.5555/gone'), 'work');
    await call(`${sb.api}/v3.0/${s.orcidId}/work/${w.item.put_code}`, { method: 'DELETE', token: s.token });
    const changed = await state(s, 'w-del', work('Deleted by her, v2', '10.5555/gone'), 'work');
    expect(changed.item.status).toBe('deleted_by_researcher');
    expect(changed.item.status_detail).toBeTruthy();
    const again = await state(s, 'w-del', work('Deleted by her, v3', '10.5555/gone'), 'work');
    expect(again.queued).toBe(false);
    expect(await inOrcid(s, 'work')).toHaveLength(0);
  });

  it('a revoked token: the item is revoked after one attempt, the link ends, the person’s other queued items stop', async () => {
    const s = await connected();
    const other = await items.upsert(
      s.tenant.id,
      s.personId,
      { section: 'work', sourceKey: 'w-other', payload: work('Other', '10.5555/other'), desired: 'present' },
      true,
    );
    await call(`${sb.base}/oauth/revoke`, {
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({
        client_id: s.client.clientId,
        client_secret: s.client.clientSecret,
        token: s.token,
      }).toString(),
    });
    const r = await state(s, 'w-rev', work('Revoked', '10.5555/rev'), 'work');
    expect(r.item.status).toBe('revoked');
    expect(r.item.attempts).toBe(1);
    expect((await items.byId(s.tenant.id, other.item.id))!.status).toBe('revoked');
    const link = await tdb.db
      .selectFrom('orcid_links')
      .selectAll()
      .where('person_id', '=', s.personId)
      .executeTakeFirstOrThrow();
    expect([link.status, link.revoked_by, link.token_sealed]).toEqual(['revoked', 'orcid', null]);
  });

  it("an invalid payload is `invalid` with ORCID's message; a transient failure is `retrying`, and `failed` on the last attempt", async () => {
    const s = await connected();
    const bad = await state(s, 'w-bad', { title: { title: { value: 'No type' } } }, 'work');
    expect(bad.item.status).toBe('invalid');
    expect(bad.item.status_detail).toMatch(/\S/);

    await control(sb.base, 'POST', '/faults', { pathPattern: '/v3.0/.*/works?', status: 500, rate: 1 });
    try {
      const t = await state(s, 'w-500', work('Flaky', '10.5555/flaky'), 'work');
      expect(t.item.status).toBe('retrying');
      const last = await service.write(s.tenant.id, t.item.id, { finalAttempt: true });
      expect(last?.status).toBe('failed');
    } finally {
      await control(sb.base, 'DELETE', '/faults');
    }
    const recovered = await state(s, 'w-500', work('Flaky', '10.5555/flaky'), 'work');
    expect(recovered.item.status).toBe('in_orcid');
    expect(await inOrcid(s, 'work')).toHaveLength(1);
  });

  it('items of a person without a link wait as pending', async () => {
    const s = await connected();
    const loner = (await new PersonRepository(tdb.db).upsertFromSignIn(s.tenant.id, {
      employeeId: `L${n}`,
    }))!;
    const { item, queued } = await items.upsert(
      s.tenant.id,
      loner.id,
      {
        section: 'work',
        sourceKey: 'w-pending',
        payload: work('Later', '10.5555/later'),
        desired: 'present',
      },
      false,
    );
    expect([item.status, queued]).toEqual(['pending', false]);
    const outcome = await service.write(s.tenant.id, item.id);
    expect(outcome?.status).toBe('pending');
  });
});

describe('races', () => {
  it('the same item stated twice at once, and two workers writing it at once: one item in ORCID', async () => {
    const s = await connected();
    const input = {
      section: 'work',
      sourceKey: 'w-race',
      payload: work('Raced', '10.5555/race'),
      desired: 'present' as const,
    };
    const [a, b] = await Promise.all([
      items.upsert(s.tenant.id, s.personId, input, true),
      items.upsert(s.tenant.id, s.personId, input, true),
    ]);
    expect(a.item.id).toBe(b.item.id);
    const outcomes = await Promise.all([
      service.write(s.tenant.id, a.item.id),
      service.write(s.tenant.id, a.item.id),
    ]);
    // One creates; the other finds it held (busy) or already written (none).
    expect(outcomes.map((o) => o?.action).filter((a) => a === 'create')).toEqual(['create']);
    expect(outcomes.every((o) => ['create', 'busy', 'none'].includes(o!.action))).toBe(true);
    expect(await inOrcid(s, 'work')).toHaveLength(1);
    const item = (await items.byId(s.tenant.id, a.item.id))!;
    expect([item.status, Number(item.put_code)]).toEqual([
      'in_orcid',
      (await inOrcid(s, 'work'))[0]!.putCode,
    ]);
  });
});

describe('other sections', () => {
  it.each(['json', 'xml'] as const)(
    'every other section (six affiliation types, work, funding, peer review, person sections): create, update, delete (%s)',
    async (format) => {
      const s = await connected(format);
      const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
        [
          'funding',
          {
            type: 'grant',
            title: { title: { value: 'Glacier dynamics' } },
            organization: {
              name: 'Wakanda Research Council',
              address: { city: 'Birnin Zana', country: 'NZ' },
              'disambiguated-organization': {
                'disambiguated-organization-identifier': 'https://ror.org/02mdp7q11',
                'disambiguation-source': 'ROR',
              },
            },
            'external-ids': {
              'external-id': [
                {
                  'external-id-type': 'grant_number',
                  'external-id-value': 'WRC-1',
                  'external-id-relationship': 'self',
                },
              ],
            },
          },
          { title: { title: { value: 'Glacier dynamics, phase 2' } } },
          'Glacier dynamics, phase 2',
        ],
        ...(
          ['education', 'qualification', 'invited-position', 'distinction', 'membership', 'service'] as const
        ).map((section): [string, Record<string, unknown>, Record<string, unknown>, string] => [
          section,
          { 'role-title': `${section} role`, 'start-date': { year: { value: '2018' } } },
          { 'role-title': `${section} role, renamed` },
          `${section} role, renamed`,
        ]),
        ['work', work('Ice sheets', `10.5555/matrix.${format}`), { type: 'book' }, '"book"'],
        [
          'peer-review',
          {
            'reviewer-role': 'reviewer',
            'review-identifiers': {
              'external-id': [
                {
                  'external-id-type': 'source-work-id',
                  'external-id-value': `review-${format}`,
                  'external-id-relationship': 'self',
                },
              ],
            },
            'review-type': 'review',
            'review-completion-date': { year: { value: '2024' } },
            // Not yet a group at ORCID: the writer creates it first.
            'review-group-id': `orcid-generated:lanyard-matrix-${format}`,
            'convening-organization': {
              name: 'Wakanda Journal of Glaciology',
              address: { city: 'Birnin Zana', country: 'NZ' },
              'disambiguated-organization': {
                'disambiguated-organization-identifier': 'https://ror.org/02mdp7q11',
                'disambiguation-source': 'ROR',
              },
            },
          },
          { 'review-type': 'evaluation' },
          '"evaluation"',
        ],
        ['keywords', { content: 'glaciology' }, { content: 'glacial hydrology' }, 'glacial hydrology'],
        ['other-names', { content: 'A. A. Lovelace' }, { content: 'Augusta Ada King' }, 'Augusta Ada King'],
        [
          'external-identifiers',
          {
            'external-id-type': 'Scopus Author ID',
            'external-id-value': '7004212771',
            'external-id-url': { value: 'https://www.scopus.com/authid/detail.uri?authorId=7004212771' },
            'external-id-relationship': 'self',
          },
          { 'external-id-value': '7004212772' },
          '7004212772',
        ],
        ['address', { country: { value: 'NZ' } }, { country: { value: 'GB' } }, '"GB"'],
        [
          'researcher-urls',
          { 'url-name': 'Lab', url: { value: 'https://lab.wakanda.example' } },
          { 'url-name': 'Research group' },
          'Research group',
        ],
      ];
      for (const [section, payload, change, changed] of cases) {
        const created = await state(s, `${section}-1`, payload, section);
        expect([section, created.item.status, created.item.status_detail]).toEqual([
          section,
          'in_orcid',
          null,
        ]);
        const updated = await state(s, `${section}-1`, { ...payload, ...change }, section);
        expect([section, updated.outcome?.action, updated.item.status]).toEqual([
          section,
          'update',
          'in_orcid',
        ]);
        const held = await inOrcid(s, section);
        expect(held.map((i) => i.putCode)).toEqual([Number(created.item.put_code)]);
        // The changed value is what ORCID holds now.
        expect(JSON.stringify(held[0]!.json)).toContain(changed);
        const gone = await state(s, `${section}-1`, { ...payload, ...change }, section, 'absent');
        expect([section, gone.item.status]).toEqual([section, 'deleted']);
        expect(await inOrcid(s, section)).toHaveLength(0);
      }
      // The review group did not exist: it was created once, before the first write.
      const { groups } = await control<{ groups: Array<{ groupId: string }> }>(sb.base, 'GET', '/state');
      expect(groups.filter((g) => g.groupId === `orcid-generated:lanyard-matrix-${format}`)).toHaveLength(1);
    },
  );
});
