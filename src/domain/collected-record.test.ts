import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectRecord, diffCollected, fuzzyDate } from './collected-record.js';

const sample = JSON.parse(
  readFileSync(
    new URL('../../vendor/orcid-model/record_3.0/samples/read_samples/record-full-3.0.json', import.meta.url),
    'utf8',
  ),
);
const clone = () => JSON.parse(JSON.stringify(sample));

describe('the collected record, from ORCID v3.0 record JSON', () => {
  const record = collectRecord(sample);

  it("keeps every item of ORCID's sample record, with put code, source, visibility and the record's dates", () => {
    expect(record.orcid).toBe('0000-0002-7319-2192');
    expect(record.lastModified).toBe(1559917016886);
    expect(record.sectionModified.employment).toBe(1559916358839);
    expect(record.sectionModified.work).toBe(1559917017189);
    const sections = new Set(record.items.map((i) => i.section));
    for (const s of ['employment', 'education', 'work', 'funding', 'peer-review', 'research-resource'])
      expect(sections).toContain(s);
    for (const s of ['name', 'keywords', 'address', 'researcher-urls', 'other-names', 'external-identifiers'])
      expect(sections).toContain(s);
    const employment = record.items.find((i) => i.section === 'employment' && i.putCode === 9266)!;
    expect(employment).toMatchObject({
      key: '9266',
      sourceClientId: 'APP-OQYKBIN9CXD9U3SH',
      role: 'role-title',
      department: 'department-name',
      startDate: expect.stringMatching(/^1948/),
    });
    expect(employment.organisation).toBeTruthy();
    expect(employment.externalIds.map((e) => e.value)).toContain('external-identifier-value');
    const work = record.items.find((i) => i.section === 'work' && i.putCode === 178602)!;
    expect(work.title).toBe('Work Title');
    expect(work.externalIds[0]).toMatchObject({ type: 'doi', value: '10.1087/20120404' });
    const name = record.items.find((i) => i.section === 'name')!;
    expect(name).toMatchObject({ key: 'name', value: 'Three releasecandidate1', visibility: 'public' });
    // Every item has a key; only name, biography and emails lack a put code.
    for (const i of record.items)
      if (i.putCode === null) expect(['name', 'biography', 'emails']).toContain(i.section);
  });

  it('reads the same record twice as no change, and names what was added, changed, hidden or removed', () => {
    expect(diffCollected(record.items, collectRecord(clone()).items)).toEqual([]);

    const next = clone();
    const employments = next['activities-summary'].employments['affiliation-group'];
    const removed = employments[0].summaries[0]['employment-summary']['put-code'];
    employments.shift();
    const work = next['activities-summary'].works.group[0]['work-summary'][0];
    work.title.title.value = 'A new title';
    const keyword = next.person.keywords.keyword[0];
    keyword.visibility = 'private';
    keyword['last-modified-date'] = { value: 1700000000000 };
    keyword['display-index'] = 7;
    const changes = diffCollected(record.items, collectRecord(next).items);
    const kinds = changes.map((c) => `${c.kind} ${c.item.section} ${c.item.key}`).sort();
    expect(kinds).toContain(`changed work ${work['put-code']}`);
    expect(kinds).toContain(`visibility keywords ${keyword['put-code']}`);
    expect(kinds).toContain(`removed employment ${removed}`);
    expect(changes.find((c) => c.kind === 'visibility')).toMatchObject({ from: 'public' });
  });

  it('writes fuzzy dates as YYYY[-MM[-DD]] and tolerates a record with sections left out', () => {
    expect(fuzzyDate({ year: { value: '2020' }, month: { value: '03' }, day: null })).toBe('2020-03');
    expect(fuzzyDate({ year: null })).toBeNull();
    const bare = collectRecord({ 'orcid-identifier': { path: '0000-0001-2345-6789' } });
    expect(bare).toEqual({
      orcid: '0000-0001-2345-6789',
      lastModified: null,
      sectionModified: {},
      items: [],
    });
  });
});
