// How the writer recognises its own earlier copy of an item on a record (docs/api.md, Behaviour). ORCID
// answers 409 only for activities sharing a self external id and for person items with the same
// value; for everything else (affiliations, works and funding without self external ids) a POST
// whose answer was lost, or a worker killed between ORCID's 201 and recording it, would leave a
// second copy unless the writer finds the first one by its content. A summary in a section's
// list carries the same fields as the item, so one function reads both.
import type { Json, JsonObject } from '../../lib/orcid-model/codec.js';
import { duplicateKeys } from '../../lib/orcid-model/duplicates.js';
import { AFFILIATION_SECTIONS, type SectionDef } from '../../lib/orcid-model/sections.js';

const text = (v: Json | undefined): string => {
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim().toLowerCase();
  if (v && typeof v === 'object' && !Array.isArray(v)) return text(v.value);
  return '';
};

const obj = (v: Json | undefined): JsonObject =>
  (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as JsonObject;

/** A fuzzy date as YYYY[-MM[-DD]], month and day padded ("3" and "03" are one month). */
function date(v: Json | undefined): string {
  const d = obj(v);
  return [text(d.year), text(d.month), text(d.day)]
    .filter(Boolean)
    .map((p, i) => (i === 0 ? p : p.padStart(2, '0')))
    .join('-');
}

function organisation(v: Json | undefined): string[] {
  const o = obj(v);
  const dis = obj(o['disambiguated-organization']);
  return [
    text(o.name),
    text(dis['disambiguation-source']),
    text(dis['disambiguated-organization-identifier']),
  ];
}

const isAffiliation = (s: SectionDef) => (AFFILIATION_SECTIONS as readonly string[]).includes(s.name);

/**
 * The content an item is recognised by when nothing else names it: an affiliation's organisation
 * (and its disambiguated id), role, department and start date; a work's type, title and
 * publication date; a funding's type, title and organisation. Null for sections ORCID itself
 * de-duplicates by value (person data) or that always carry identifiers (peer reviews).
 */
export function contentKey(section: SectionDef, item: JsonObject): string | null {
  let parts: string[];
  if (isAffiliation(section))
    parts = [
      ...organisation(item.organization),
      text(item['role-title']),
      text(item['department-name']),
      date(item['start-date']),
    ];
  else if (section.name === 'work')
    parts = [text(item.type), text(obj(item.title).title), date(item['publication-date'])];
  else if (section.name === 'funding')
    parts = [text(item.type), text(obj(item.title).title), ...organisation(item.organization)];
  else return null;
  return `content:${JSON.stringify(parts)}`;
}

/**
 * Every key that makes an item on the record this one: ORCID's own (self external ids, a person
 * item's value) and, for affiliations always and for works and funding without self external
 * ids, its content.
 */
export function matchKeys(section: SectionDef, item: JsonObject): string[] {
  const keys = duplicateKeys(section, item);
  if (keys.length && !isAffiliation(section)) return keys;
  const content = contentKey(section, item);
  return content ? [...keys, content] : keys;
}
