// The rules an item's payload must follow beyond ORCID's schema, the same for every way in
// (REST API, JSON upload; the CSV applies them to its cells): no value longer than an upload
// cell allows, an end no earlier than its start, ISO 3166 country codes, and a peer review
// naming its review group. Each problem names its field (dotted path in the payload).
import { isCountryCode } from './countries.js';

/** As for CSV cells; the few fields ORCID lets run longer keep their own limit. */
export const MAX_VALUE_LENGTH = 1000;
const LONGER: Record<string, number> = { 'short-description': 5000, 'citation-value': 100_000 };

export interface RuleProblem {
  field: string;
  message: string;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const text = (v: unknown): string | null => {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  const o = obj(v);
  return o ? text(o.value) : null;
};

/** A fuzzy date's parts as a comparable YYYY[-MM[-DD]] string, or null. */
function dateOf(v: unknown): string | null {
  const d = obj(v);
  if (!d) return null;
  const year = text(d.year);
  if (!year) return null;
  const month = text(d.month);
  const day = text(d.day);
  return [year, month?.padStart(2, '0'), month && day ? day.padStart(2, '0') : null]
    .filter(Boolean)
    .join('-');
}

export function itemRuleProblems(
  section: string,
  payload: Record<string, unknown>,
  groupId?: string | null,
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const stack: Array<{ v: unknown; path: string; key: string }> = [{ v: payload, path: '', key: '' }];
  while (stack.length) {
    const { v, path, key } = stack.pop()!;
    if (typeof v === 'string') {
      const limit = LONGER[key] ?? MAX_VALUE_LENGTH;
      if (v.length > limit)
        problems.push({ field: path, message: `is longer than ${limit.toLocaleString('en')} characters` });
      continue;
    }
    if (Array.isArray(v)) for (const [i, x] of v.entries()) stack.push({ v: x, path: `${path}[${i}]`, key });
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: path ? `${path}.${k}` : k, key: k });
  }

  const start = dateOf(payload['start-date']);
  const end = dateOf(payload['end-date']);
  if (start && end && end < start && !start.startsWith(end))
    problems.push({ field: 'end-date', message: `the end (${end}) is before the start (${start})` });

  const countries: Array<[string, unknown]> = [
    ['organization.address.country', obj(obj(payload.organization)?.address)?.country],
  ];
  if (section === 'address') countries.push(['country', payload.country]);
  for (const [field, value] of countries) {
    const code = text(value);
    if (code !== null && !isCountryCode(code))
      problems.push({ field, message: `"${code}" is not an ISO 3166 country code (e.g. NZ, GB)` });
  }

  if (section === 'peer-review' && !groupId && !payload['review-group-id'])
    problems.push({
      field: 'review-group-id',
      message: 'a peer review needs its review group (e.g. issn:0000-0001)',
    });
  return problems;
}
