// The record's sections as the v3.0 API names them: URL segments, XML elements, scopes.
import { NS } from './orcid-model.js';

export type AffiliationType =
  | 'employment'
  | 'education'
  | 'qualification'
  | 'invited-position'
  | 'distinction'
  | 'membership'
  | 'service';

export interface SectionDef {
  /** The section name used by the control API and the store, e.g. `work`, `keywords`. */
  name: string;
  kind: 'activity' | 'person';
  /** URL segment of one item (`work`, `researcher-urls`). */
  itemSegment: string;
  /** URL segment of the list (`works`, `researcher-urls`). */
  listSegment: string;
  ns: string;
  element: string;
  /** Summary element (activities only). */
  summaryElement?: string;
  /** Element name of the list document (`works`, `keywords`). */
  listElement: string;
  listNs: string;
  /** How the list groups its items. */
  grouping: 'works' | 'fundings' | 'affiliations' | 'peer-reviews' | 'research-resources' | 'person';
  readLimitedScope: string;
  writeScope: string;
  /** Word used in error messages ("the work"). */
  noun: string;
  /** Has external ids that make duplicates (9021). */
  externalIdsPath?: (item: Record<string, unknown>) => unknown;
}

const AFFILIATIONS: AffiliationType[] = [
  'distinction',
  'education',
  'employment',
  'invited-position',
  'membership',
  'qualification',
  'service',
];

const extIds = (item: Record<string, unknown>): unknown =>
  (item['external-ids'] as Record<string, unknown> | undefined)?.['external-id'];

const activity = (
  name: string,
  listSegment: string,
  grouping: SectionDef['grouping'],
  readLimitedScope: string,
  externalIdsPath: SectionDef['externalIdsPath'] = extIds,
): SectionDef => ({
  name,
  kind: 'activity',
  itemSegment: name,
  listSegment,
  ns: NS(name),
  element: name,
  summaryElement: `${name}-summary`,
  listElement: listSegment,
  listNs: NS('activities'),
  grouping,
  readLimitedScope,
  writeScope: '/activities/update',
  noun: name.replace('-', ' '),
  externalIdsPath,
});

const person = (
  name: string,
  ns: string,
  element: string,
  listElement: string,
  noun: string,
): SectionDef => ({
  name,
  kind: 'person',
  itemSegment: name,
  listSegment: name,
  ns: NS(ns),
  element,
  listElement,
  listNs: NS(ns),
  grouping: 'person',
  readLimitedScope: '/person/read-limited',
  writeScope: '/person/update',
  noun,
});

export const SECTIONS: SectionDef[] = [
  activity('work', 'works', 'works', '/orcid-works/read-limited'),
  activity('funding', 'fundings', 'fundings', '/funding/read-limited'),
  ...AFFILIATIONS.map((a) => activity(a, `${a}s`, 'affiliations', '/affiliations/read-limited')),
  activity(
    'peer-review',
    'peer-reviews',
    'peer-reviews',
    '/peer-review/read-limited',
    (item) => (item['review-identifiers'] as Record<string, unknown> | undefined)?.['external-id'],
  ),
  activity(
    'research-resource',
    'research-resources',
    'research-resources',
    '/activities/read-limited',
    (item) =>
      ((item.proposal as Record<string, unknown> | undefined)?.['external-ids'] as Record<string, unknown>)?.[
        'external-id'
      ],
  ),
  person('other-names', 'other-name', 'other-name', 'other-names', 'other name'),
  person('address', 'address', 'address', 'addresses', 'address'),
  person('keywords', 'keyword', 'keyword', 'keywords', 'keyword'),
  person('researcher-urls', 'researcher-url', 'researcher-url', 'researcher-urls', 'researcher url'),
  person(
    'external-identifiers',
    'external-identifier',
    'external-identifier',
    'external-identifiers',
    'external identifier',
  ),
];

export const SECTION_BY_NAME = new Map(SECTIONS.map((s) => [s.name, s]));
export const SECTION_BY_ITEM_SEGMENT = new Map(SECTIONS.map((s) => [s.itemSegment, s]));
export const SECTION_BY_LIST_SEGMENT = new Map(SECTIONS.map((s) => [s.listSegment, s]));
export const AFFILIATION_SECTIONS = AFFILIATIONS;

/** Accepts the control API's section names in singular or plural form. */
export function sectionByAnyName(name: string): SectionDef | undefined {
  return SECTION_BY_NAME.get(name) ?? SECTION_BY_LIST_SEGMENT.get(name) ?? SECTION_BY_ITEM_SEGMENT.get(name);
}
