import { describe, expect, it } from 'vitest';
import { SECTION_BY_NAME } from '../../lib/orcid-model/sections.js';
import { contentKey, matchKeys } from './item-match.js';

const employment = SECTION_BY_NAME.get('employment')!;
const work = SECTION_BY_NAME.get('work')!;
const keywords = SECTION_BY_NAME.get('keywords')!;

const affiliation = (over: Record<string, unknown> = {}) => ({
  'role-title': 'Lecturer',
  'department-name': 'Physics',
  'start-date': { year: { value: '2020' }, month: { value: '3' } },
  organization: {
    name: 'Wakanda University',
    address: { city: 'Birnin Zana', country: 'NZ' },
    'disambiguated-organization': {
      'disambiguated-organization-identifier': 'https://ror.org/04vwd8k31',
      'disambiguation-source': 'ROR',
    },
  },
  ...over,
});

describe('recognising an item on the record', () => {
  it('an affiliation by organisation and its id, role, department and start, whatever the case or padding', () => {
    const summary = affiliation({
      'role-title': ' lecturer ',
      'start-date': { year: { value: '2020' }, month: { value: '03' } },
      'end-date': { year: { value: '2024' } },
      'put-code': 12,
    });
    expect(contentKey(employment, summary)).toBe(contentKey(employment, affiliation()));
  });

  it.each([
    ['another role', { 'role-title': 'Reader' }],
    ['another department', { 'department-name': 'Chemistry' }],
    ['another start', { 'start-date': { year: { value: '2021' } } }],
    [
      'another organisation id',
      { organization: { ...affiliation().organization, 'disambiguated-organization': null } },
    ],
  ])('an affiliation with %s is another item', (_, over) => {
    expect(contentKey(employment, affiliation(over))).not.toBe(contentKey(employment, affiliation()));
  });

  it('a work with a self DOI is named by it alone; without one, by its content', () => {
    const doi = {
      'external-ids': {
        'external-id': [
          { 'external-id-type': 'doi', 'external-id-value': '10.1/x', 'external-id-relationship': 'self' },
        ],
      },
    };
    expect(matchKeys(work, { title: { title: { value: 'A' } }, ...doi })).toEqual(['doi:10.1/x']);
    expect(matchKeys(work, { title: { title: { value: 'A' } }, type: 'book' })).toHaveLength(1);
    expect(matchKeys(work, { title: { title: { value: 'A' } }, type: 'book' })[0]).toMatch(/^content:/);
  });

  it('person data by its value, as ORCID itself does', () => {
    expect(matchKeys(keywords, { content: 'Oceans' })).toEqual(['oceans']);
  });
});
