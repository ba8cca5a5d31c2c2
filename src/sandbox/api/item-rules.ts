// The checks ORCID runs on written items beyond the XSD (SPEC 6.6, 6.7, 13):
// required fields, enumerations, dates and organisations.
import type { JsonObject } from '../../../lib/orcid-model/codec.js';
import type { SectionDef } from '../../../lib/orcid-model/sections.js';
import { OrcidApiError } from './orcid-errors.js';

export const EXTERNAL_ID_TYPES = new Set(
  (
    'agr ark arxiv asin asin-tld authenticusid bibcode cba cgn cienciaiul cit cstr ctx cvid dnb doi eid emdb empiar ' +
    'ethos grant_number hal handle hir isbn ismn issn jfm jstor k10plus kuid lccn lensid mr oclc ol osti other-id pat ' +
    'pdb pmc pmid ppr proposal-id rfc rrid source-work-id ssrn uri urn wosuid zbl'
  ).split(' '),
);

export const WORK_TYPES = (
  'annotation artistic-performance blog-post book-chapter book-review book cartographic-material clinical-study ' +
  'conference-abstract conference-output conference-paper conference-poster conference-presentation ' +
  'conference-proceedings data-management-plan data-set design dictionary-entry disclosure dissertation-thesis ' +
  'edited-book encyclopedia-entry image invention journal-article journal-issue learning-object lecture-speech ' +
  'license magazine-article manual moving-image musical-composition newsletter-article newspaper-article ' +
  'online-resource other patent physical-object preprint public-speech registered-copyright report ' +
  'research-technique research-tool review software sound spin-off-company standards-and-policy ' +
  'supervised-student-publication technical-standard test trademark transcription translation website ' +
  'working-paper undefined dissertation'
).split(' ');

const RELATIONSHIPS = ['self', 'part-of', 'version-of', 'funded-by'];
const FUNDING_TYPES = ['grant', 'contract', 'award', 'salary-award'];
const REVIEWER_ROLES = ['reviewer', 'editor', 'member', 'chair', 'organizer'];
const REVIEW_TYPES = ['review', 'evaluation'];
const DISAMBIGUATION_SOURCES = ['RINGGOLD', 'GRID', 'FUNDREF', 'LEI', 'ROR'];
const CONTRIBUTOR_ROLES = [
  'author',
  'assignee',
  'editor',
  'chair-or-translator',
  'co-investigator',
  'co-inventor',
  'graduate-student',
  'other-inventor',
  'principal-investigator',
  'postdoctoral-researcher',
  'support-staff',
  'lead',
  'co-lead',
  'supported-by',
  'other-contribution',
];

type Obj = JsonObject;
const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  const o = obj(v);
  return o && (typeof o.value === 'string' || typeof o.value === 'number') ? String(o.value) : undefined;
};
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v.filter((x) => obj(x)) as Obj[]) : []);

function enumCheck(value: string | undefined, allowed: string[], type: string): void {
  if (value !== undefined && !allowed.includes(value))
    throw new OrcidApiError(9037, { type, values: allowed.join(', ') });
}

export function externalIds(container: unknown): Obj[] {
  return list(obj(container)?.['external-id']);
}

function checkExternalIds(ids: Obj[], needSelf: boolean): void {
  const bad = ids.filter(
    (id) =>
      !EXTERNAL_ID_TYPES.has(String(id['external-id-type'] ?? '')) ||
      !str(id['external-id-value'])?.trim() ||
      !RELATIONSHIPS.includes(String(id['external-id-relationship'] ?? '')),
  );
  if (bad.length)
    throw new OrcidApiError(9023, {
      list: bad.map((id) => `${id['external-id-type']}:${str(id['external-id-value']) ?? ''}`).join(', '),
    });
  if (needSelf && !ids.some((id) => id['external-id-relationship'] === 'self'))
    throw new OrcidApiError(9023, { list: '(at least one external id with relationship self is required)' });
}

interface Fuzzy {
  y: number;
  m: number;
  d: number;
}

function fuzzyDate(v: unknown): Fuzzy | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const y = str(o.year);
  const m = str(o.month);
  const d = str(o.day);
  if (!y) {
    if (m || d) throw new OrcidApiError(9049, {}, 'a date needs a year');
    return undefined;
  }
  if (!/^\d{4}$/.test(y) || (m && !/^\d{2}$/.test(m)) || (d && !/^\d{2}$/.test(d)) || (d && !m))
    throw new OrcidApiError(9049, {}, `invalid date ${y}-${m ?? ''}-${d ?? ''}`);
  const mm = m ? Number(m) : 0;
  const dd = d ? Number(d) : 0;
  // The XSD bounds month and day separately; the calendar decides whether 2019-02-30 exists.
  const daysInMonth = mm ? new Date(Date.UTC(Number(y), mm, 0)).getUTCDate() : 31;
  if (mm > 12 || (m && mm < 1) || dd > daysInMonth || (d && dd < 1))
    throw new OrcidApiError(9049, {}, `invalid date ${y}-${m}-${d ?? ''}`);
  return { y: Number(y), m: mm, d: dd };
}

function checkDates(start: unknown, end: unknown): void {
  const s = fuzzyDate(start);
  const e = fuzzyDate(end);
  if (e && !s) throw new OrcidApiError(9050);
  if (s && e && e.y * 10000 + e.m * 100 + e.d < s.y * 10000 + s.m * 100 + s.d) throw new OrcidApiError(9055);
}

function checkOrganization(org: unknown, strict: boolean, externalIdList: Obj[]): void {
  const o = obj(org);
  if (!o || !str(o.name)?.trim()) throw new OrcidApiError(9046);
  const address = obj(o.address);
  const dis = obj(o['disambiguated-organization']);
  const disId = str(dis?.['disambiguated-organization-identifier'])?.trim();
  if (dis) enumCheck(str(dis['disambiguation-source']), DISAMBIGUATION_SOURCES, 'disambiguation-source');
  if (strict) {
    if (!disId) throw new OrcidApiError(9045);
    if (!str(address?.city)?.trim() || !str(address?.country)?.trim()) throw new OrcidApiError(9060);
  } else {
    if (!disId && externalIdList.length === 0) throw new OrcidApiError(9062);
    if ((str(address?.city) || str(address?.region)) && !str(address?.country)) throw new OrcidApiError(9061);
  }
}

/** Throws the ORCID error for the first rule the item breaks. */
export function checkItem(section: SectionDef, item: Obj): void {
  switch (section.name) {
    case 'work': {
      const title = str(obj(item.title)?.title);
      if (!title?.trim()) throw new OrcidApiError(9022);
      const type = str(item.type);
      if (!type) throw new OrcidApiError(9037, { type: 'work type', values: WORK_TYPES.join(', ') });
      enumCheck(type, WORK_TYPES, 'work type');
      const ids = externalIds(item['external-ids']);
      if (ids.length === 0) throw new OrcidApiError(9023, { list: '(an external identifier is required)' });
      checkExternalIds(ids, true);
      fuzzyDate(item['publication-date']);
      const citation = obj(item.citation);
      if (citation && !str(citation['citation-value'])?.trim())
        throw new OrcidApiError(9001, {}, 'citation-value is required');
      for (const c of list(obj(item.contributors)?.contributor)) {
        const role = str(obj(c['contributor-attributes'])?.['contributor-role']);
        if (role && !CONTRIBUTOR_ROLES.includes(role) && !role.startsWith('http'))
          throw new OrcidApiError(9058);
      }
      return;
    }
    case 'funding': {
      enumCheck(str(item.type), FUNDING_TYPES, 'funding type');
      if (!str(item.type))
        throw new OrcidApiError(9037, { type: 'funding type', values: FUNDING_TYPES.join(', ') });
      if (!str(obj(item.title)?.title)?.trim()) throw new OrcidApiError(9022);
      const ids = externalIds(item['external-ids']);
      if (ids.length === 0) throw new OrcidApiError(9023, { list: '(an external identifier is required)' });
      checkExternalIds(ids, false);
      const amount = obj(item.amount);
      if (amount) {
        const v = str(amount.value)?.replace(/,/g, '');
        if (!v || !Number.isFinite(Number(v)) || !amount['currency-code']) throw new OrcidApiError(9054);
      }
      checkDates(item['start-date'], item['end-date']);
      checkOrganization(item.organization, true, []);
      return;
    }
    case 'employment':
    case 'education':
      checkDates(item['start-date'], item['end-date']);
      checkOrganization(item.organization, true, []);
      checkExternalIds(externalIds(item['external-ids']), false);
      return;
    case 'distinction':
    case 'invited-position':
    case 'membership':
    case 'qualification':
    case 'service': {
      checkDates(item['start-date'], item['end-date']);
      const ids = externalIds(item['external-ids']);
      checkExternalIds(ids, false);
      checkOrganization(item.organization, false, ids);
      return;
    }
    case 'peer-review': {
      if (!str(item['reviewer-role']))
        throw new OrcidApiError(9037, { type: 'reviewer-role', values: REVIEWER_ROLES.join(', ') });
      enumCheck(str(item['reviewer-role']), REVIEWER_ROLES, 'reviewer-role');
      if (!str(item['review-type']))
        throw new OrcidApiError(9037, { type: 'review-type', values: REVIEW_TYPES.join(', ') });
      enumCheck(str(item['review-type']), REVIEW_TYPES, 'review-type');
      const ids = externalIds(item['review-identifiers']);
      if (ids.length === 0) throw new OrcidApiError(9023, { list: '(a review identifier is required)' });
      checkExternalIds(
        ids,
        ids.some((id) => id['external-id-relationship'] === 'version-of'),
      );
      if (!fuzzyDate(item['review-completion-date']))
        throw new OrcidApiError(9049, {}, 'review-completion-date is required');
      if (!str(item['review-group-id'])?.trim()) throw new OrcidApiError(9026);
      if (item['convening-organization']) checkOrganization(item['convening-organization'], false, [{}]);
      return;
    }
    case 'research-resource': {
      const proposal = obj(item.proposal);
      if (!str(obj(proposal?.title)?.title)?.trim()) throw new OrcidApiError(9022);
      const ids = externalIds(proposal?.['external-ids']);
      if (ids.length === 0) throw new OrcidApiError(9023, { list: '(an external identifier is required)' });
      checkExternalIds(ids, true);
      checkDates(proposal?.['start-date'], proposal?.['end-date']);
      for (const host of list(obj(proposal?.hosts)?.organization)) checkOrganization(host, false, [{}]);
      return;
    }
    case 'external-identifiers': {
      // Personal identifier types are free text (e.g. "Scopus Author ID"), unlike activity ids.
      if (!str(item['external-id-type'])?.trim() || !str(item['external-id-value'])?.trim())
        throw new OrcidApiError(9023, { list: 'external-id-type and external-id-value are required' });
      if (!str(item['external-id-url'])?.trim())
        throw new OrcidApiError(9023, { list: 'external-id-url is required' });
      if (item['external-id-relationship'] !== 'self')
        throw new OrcidApiError(9023, { list: 'the relationship of a personal identifier must be self' });
      return;
    }
    case 'keywords':
    case 'other-names':
      if (!str(item.content)?.trim()) throw new OrcidApiError(9001, {}, 'content is required');
      return;
    case 'researcher-urls':
      if (!str(item.url)?.trim()) throw new OrcidApiError(9001, {}, 'url is required');
      return;
    case 'address':
      if (!str(item.country)?.trim()) throw new OrcidApiError(9001, {}, 'country is required');
      return;
  }
}
