// When ORCID calls two items of one client the same (SPEC 6.6): activities sharing a `self`
// external id (type and normalised value), person items with the same value. The simulator
// refuses such a POST with 9021/9030; the client uses the same rule to find its own item.
import type { Json, JsonObject } from './codec.js';
import type { SectionDef } from './sections.js';

const text = (v: Json | undefined): string => {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) return text(v.value);
  return '';
};

/** Normalisation for matching: case, surrounding space, doi and doi.org prefixes. */
export function normalizeIdValue(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\/(dx\.)?doi\.org\//, '')
    .replace(/^doi:\s*/, '');
}

export function externalIdKey(id: JsonObject): string {
  return `${text(id['external-id-type']).toLowerCase()}:${normalizeIdValue(text(id['external-id-value']))}`;
}

/** The value a person item is compared on (and named by in 9030). */
export function personItemValue(section: SectionDef, item: JsonObject): string {
  switch (section.name) {
    case 'keywords':
    case 'other-names':
      return text(item.content);
    case 'researcher-urls':
      return text(item.url);
    case 'address':
      return text(item.country);
    default:
      return `${text(item['external-id-type'])}:${text(item['external-id-value'])}`;
  }
}

export function duplicateKeys(section: SectionDef, item: JsonObject): string[] {
  if (section.kind === 'person') return [personItemValue(section, item).trim().toLowerCase()];
  return ((section.externalIdsPath?.(item) as JsonObject[] | undefined) ?? [])
    .filter((id) => (id['external-id-relationship'] ?? 'self') === 'self')
    .map(externalIdKey);
}
