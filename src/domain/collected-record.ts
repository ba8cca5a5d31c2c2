// The collected record: an ORCID record (v3.0 JSON, as GET /{orcid}/record answers) as rows a
// CRIS can use, one per item of every activity and person section, with the fields it needs
// (titles, organisation, role, dates, external ids, type), its source and visibility, and ORCID's
// JSON; plus the last-modified dates that tell what changed since the last read. Framework-free.
import { canonicalContent } from './item.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Activity sections: the record's list key and the summary element inside it. */
const ACTIVITY_LISTS = [
  { section: 'distinction', list: 'distinctions' },
  { section: 'education', list: 'educations' },
  { section: 'employment', list: 'employments' },
  { section: 'invited-position', list: 'invited-positions' },
  { section: 'membership', list: 'memberships' },
  { section: 'qualification', list: 'qualifications' },
  { section: 'service', list: 'services' },
  { section: 'work', list: 'works' },
  { section: 'funding', list: 'fundings' },
  { section: 'peer-review', list: 'peer-reviews' },
  { section: 'research-resource', list: 'research-resources' },
] as const;

/** Person sections: the record's key, the element of each item, and our section name. */
const PERSON_LISTS = [
  { section: 'other-names', key: 'other-names', element: 'other-name' },
  { section: 'researcher-urls', key: 'researcher-urls', element: 'researcher-url' },
  { section: 'emails', key: 'emails', element: 'email' },
  { section: 'address', key: 'addresses', element: 'address' },
  { section: 'keywords', key: 'keywords', element: 'keyword' },
  { section: 'external-identifiers', key: 'external-identifiers', element: 'external-identifier' },
] as const;

/** Every section of the collected record (the ORCID client's names; name and biography added). */
export const COLLECTED_SECTIONS = [
  ...ACTIVITY_LISTS.map((a) => a.section),
  'name',
  'biography',
  ...PERSON_LISTS.map((p) => p.section),
] as const;
export type CollectedSection = (typeof COLLECTED_SECTIONS)[number];

export interface ExternalId {
  type: string;
  value: string;
  relationship: string | null;
  url: string | null;
}

export interface CollectedItem {
  section: CollectedSection;
  /** The put code, or a fixed key for what has none: `name`, `biography`, `email:<address>`. */
  key: string;
  putCode: number | null;
  sourceClientId: string | null;
  sourceOrcid: string | null;
  sourceName: string | null;
  visibility: string | null;
  title: string | null;
  organisation: string | null;
  /** Role title (affiliations), reviewer role (peer reviews). */
  role: string | null;
  department: string | null;
  /** YYYY, YYYY-MM or YYYY-MM-DD; a work's publication date and a review's completion date. */
  startDate: string | null;
  endDate: string | null;
  type: string | null;
  /** Person data's value (a keyword, a URL, an email, a country, a name). */
  value: string | null;
  externalIds: ExternalId[];
  /** ORCID's JSON of the item (a summary for activities). */
  document: Obj;
  /** Of the document without its visibility, display order and dates of change: equal, same content. */
  contentHash: string;
  /** ORCID's last-modified date of the item (ms since the epoch). */
  lastModified: number | null;
}

export interface CollectedRecord {
  orcid: string;
  /** ORCID's last-modified date of the whole record (ms); the same value, nothing changed. */
  lastModified: number | null;
  /** Each section's last-modified date (ms), where the record gives one. */
  sectionModified: Record<string, number>;
  items: CollectedItem[];
}

const obj = (v: Json | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const arr = (v: Json | undefined): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: Json | undefined): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
/** `{ "value": x }` wrappers, as ORCID's JSON writes most simple values. */
const val = (v: Json | undefined): string | null => str(obj(v).value) ?? str(v);
const ms = (v: Json | undefined): number | null => {
  const n = Number(obj(v).value);
  return Number.isFinite(n) && n > 0 ? n : null;
};

/** ORCID's fuzzy date as YYYY[-MM[-DD]]. */
export function fuzzyDate(v: Json | undefined): string | null {
  const d = obj(v);
  const year = val(d.year);
  if (!year) return null;
  const month = val(d.month);
  const day = val(d.day);
  return [year, month, month ? day : null].filter(Boolean).join('-');
}

function externalIds(v: Json | undefined): ExternalId[] {
  return arr(obj(v)['external-id']).map((e) => ({
    type: str(e['external-id-type']) ?? '',
    value: str(e['external-id-value']) ?? '',
    relationship: str(e['external-id-relationship']),
    url: val(e['external-id-url']),
  }));
}

/** Fields that change without the item's content changing (visibility is compared on its own). */
const NOT_CONTENT = new Set(['visibility', 'display-index', 'last-modified-date', 'path']);

function contentHashOf(doc: Obj): string {
  const content: Obj = {};
  for (const [k, v] of Object.entries(doc)) if (!NOT_CONTENT.has(k)) content[k] = v;
  return canonicalContent(content).hash;
}

function base(section: CollectedSection, key: string, doc: Obj): CollectedItem {
  const source = obj(doc.source);
  const putCode = typeof doc['put-code'] === 'number' ? doc['put-code'] : null;
  return {
    section,
    key,
    putCode,
    sourceClientId: str(obj(source['source-client-id']).path),
    sourceOrcid: str(obj(source['source-orcid']).path),
    sourceName: val(source['source-name']),
    visibility: str(doc.visibility),
    title: null,
    organisation: null,
    role: null,
    department: null,
    startDate: null,
    endDate: null,
    type: null,
    value: null,
    externalIds: [],
    document: doc,
    contentHash: contentHashOf(doc),
    lastModified: ms(doc['last-modified-date']),
  };
}

const titleOf = (v: Json | undefined) => val(obj(v).title);

function activity(section: CollectedSection, s: Obj): CollectedItem {
  const item = base(section, String(s['put-code'] ?? ''), s);
  item.externalIds = externalIds(s['external-ids']);
  item.type = str(s.type);
  item.startDate = fuzzyDate(s['start-date']);
  item.endDate = fuzzyDate(s['end-date']);
  item.organisation = str(obj(s.organization).name);
  switch (section) {
    case 'work':
      item.title = titleOf(s.title);
      item.startDate = fuzzyDate(s['publication-date']);
      break;
    case 'funding':
      item.title = titleOf(s.title);
      break;
    case 'peer-review':
      item.role = str(s['reviewer-role']);
      item.type = str(s['review-type']);
      item.startDate = fuzzyDate(s['completion-date']);
      item.organisation = str(obj(s['convening-organization']).name);
      item.title = str(s['review-group-id']);
      break;
    case 'research-resource': {
      const proposal = obj(s.proposal);
      item.title = titleOf(proposal.title);
      item.organisation = str(arr(obj(proposal.hosts).organization)[0]?.name);
      item.startDate = fuzzyDate(proposal['start-date']);
      item.endDate = fuzzyDate(proposal['end-date']);
      item.externalIds = externalIds(proposal['external-ids']);
      break;
    }
    default:
      // The seven affiliation types.
      item.role = str(s['role-title']);
      item.department = str(s['department-name']);
  }
  return item;
}

/** The summaries of one activity list, whatever its grouping. */
function activitySummaries(list: string, doc: Obj, section: string): Obj[] {
  const summary = `${section}-summary`;
  if (list === 'works' || list === 'fundings' || list === 'research-resources')
    return arr(doc.group).flatMap((g) => arr(g[summary]));
  if (list === 'peer-reviews')
    return arr(doc.group).flatMap((g) => arr(g['peer-review-group']).flatMap((pg) => arr(pg[summary])));
  return arr(doc['affiliation-group']).flatMap((g) => arr(g.summaries).map((w) => obj(w[summary])));
}

function personItem(section: CollectedSection, d: Obj): CollectedItem {
  const email = section === 'emails' ? str(d.email) : null;
  const item = base(section, email ? `email:${email.toLowerCase()}` : String(d['put-code'] ?? ''), d);
  switch (section) {
    case 'researcher-urls':
      item.title = str(d['url-name']);
      item.value = val(d.url);
      break;
    case 'emails':
      item.value = email;
      break;
    case 'address':
      item.value = val(d.country);
      break;
    case 'external-identifiers':
      item.type = str(d['external-id-type']);
      item.value = str(d['external-id-value']);
      item.externalIds = [
        {
          type: item.type ?? '',
          value: item.value ?? '',
          relationship: str(d['external-id-relationship']),
          url: val(d['external-id-url']),
        },
      ];
      break;
    default:
      // other names and keywords
      item.value = str(d.content);
  }
  return item;
}

/** The record as collected rows; a section the token could not read is simply absent. */
export function collectRecord(record: unknown): CollectedRecord {
  const r = obj(record as Json);
  const activities = obj(r['activities-summary']);
  const person = obj(r.person);
  const sectionModified: Record<string, number> = {};
  const items: CollectedItem[] = [];

  for (const { section, list } of ACTIVITY_LISTS) {
    const doc = obj(activities[list]);
    const lm = ms(doc['last-modified-date']);
    if (lm) sectionModified[section] = lm;
    for (const s of activitySummaries(list, doc, section))
      if (typeof s['put-code'] === 'number') items.push(activity(section, s));
  }

  const name = obj(person.name);
  if (Object.keys(name).length) {
    const item = base('name', 'name', name);
    item.value = [val(name['given-names']), val(name['family-name'])].filter(Boolean).join(' ') || null;
    item.title = val(name['credit-name']);
    items.push(item);
  }
  const bio = obj(person.biography);
  if (val(bio.content)) {
    const item = base('biography', 'biography', bio);
    item.value = val(bio.content);
    items.push(item);
  }
  for (const { section, key, element } of PERSON_LISTS) {
    const doc = obj(person[key]);
    const lm = ms(doc['last-modified-date']);
    if (lm) sectionModified[section] = lm;
    for (const d of arr(doc[element])) items.push(personItem(section, d));
  }
  const nameModified = ms(name['last-modified-date']);
  if (nameModified) sectionModified.name = nameModified;
  const bioModified = ms(bio['last-modified-date']);
  if (bioModified) sectionModified.biography = bioModified;

  return {
    orcid: str(obj(r['orcid-identifier']).path) ?? '',
    lastModified: ms(obj(r.history)['last-modified-date']),
    sectionModified,
    items: items.filter((i) => i.key !== ''),
  };
}

/** What a stored copy knows of an item, enough to tell what changed. */
export interface KnownItem {
  section: string;
  key: string;
  contentHash: string;
  visibility: string | null;
}

export type ItemChange =
  | { kind: 'added'; item: CollectedItem }
  | { kind: 'changed'; item: CollectedItem }
  | { kind: 'visibility'; item: CollectedItem; from: string | null }
  | { kind: 'removed'; item: KnownItem };

/**
 * What changed between the stored copy and a new read, item by item: added, changed in content,
 * changed in visibility only, removed. A new display order or date alone is no change.
 */
export function diffCollected(known: readonly KnownItem[], read: readonly CollectedItem[]): ItemChange[] {
  const id = (i: { section: string; key: string }) => `${i.section}\u0000${i.key}`;
  const before = new Map(known.map((k) => [id(k), k]));
  const changes: ItemChange[] = [];
  for (const item of read) {
    const k = before.get(id(item));
    before.delete(id(item));
    if (!k) changes.push({ kind: 'added', item });
    else if (k.contentHash !== item.contentHash) changes.push({ kind: 'changed', item });
    else if (k.visibility !== item.visibility) changes.push({ kind: 'visibility', item, from: k.visibility });
  }
  for (const k of before.values()) changes.push({ kind: 'removed', item: k });
  return changes;
}
