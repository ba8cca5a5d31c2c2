// The search API (SPEC 11): a small Lucene subset over public data of every record.

import type { Json } from '../../../lib/orcid-model/codec.js';
import { NS } from '../../../lib/orcid-model/orcid-model.js';
import { AFFILIATION_SECTIONS } from '../../../lib/orcid-model/sections.js';
import type { SandboxContext } from '../context.js';
import type { Item, Researcher } from '../store/types.js';
import { type Caller, requireScope } from './api-auth.js';
import { OrcidApiError } from './orcid-errors.js';
import type { ApiResult } from './record-writes.js';

type Doc = Record<string, string[]>;

interface Clause {
  field: string | null;
  value: string;
  phrase: boolean;
  op: 'AND' | 'OR';
  negate: boolean;
}

const CSV_FIELDS = [
  'orcid',
  'email',
  'given-names',
  'family-name',
  'given-and-family-names',
  'current-institution-affiliation-name',
  'past-institution-affiliation-name',
  'credit-name',
  'other-names',
];

/** Splits `q` into clauses: field:value, field:"a phrase", bare words, AND / OR / NOT, +/-. */
export function parseQuery(q: string): Clause[] {
  const clauses: Clause[] = [];
  const re = /\s*(?:(AND|OR|NOT|&&|\|\|)\s+|([+-]?)(?:([\w.-]+):)?(?:"([^"]*)"|(\S+)))/gy;
  let op: 'AND' | 'OR' = 'OR';
  let negateNext = false;
  let m: RegExpExecArray | null;
  for (;;) {
    m = re.exec(q);
    if (!m) break;
    if (m[1]) {
      if (m[1] === 'NOT') negateNext = true;
      else op = m[1] === 'AND' || m[1] === '&&' ? 'AND' : 'OR';
      continue;
    }
    const value = (m[4] ?? m[5] ?? '').replace(/[()]/g, '');
    if (!value && m[4] === undefined) continue;
    clauses.push({
      field: m[3] ?? null,
      value: value.toLowerCase(),
      phrase: m[4] !== undefined,
      op: m[2] === '+' ? 'AND' : op,
      negate: negateNext || m[2] === '-',
    });
    op = 'OR';
    negateNext = false;
  }
  return clauses;
}

function valueMatches(values: string[], c: Clause): boolean {
  if (c.value === '*') return values.length > 0;
  return values.some((raw) => {
    const v = raw.toLowerCase();
    if (c.phrase) return v.includes(c.value);
    if (c.value.endsWith('*')) {
      const prefix = c.value.slice(0, -1);
      return v.split(/[^\p{L}\p{N}@.-]+/u).some((w) => w.startsWith(prefix)) || v.startsWith(prefix);
    }
    return (
      v === c.value || v.split(/[^\p{L}\p{N}@.-]+/u).includes(c.value) || v.split(/\s+/).includes(c.value)
    );
  });
}

export function matches(doc: Doc, clauses: Clause[]): boolean {
  if (clauses.length === 0) return false;
  let result: boolean | null = null;
  for (const c of clauses) {
    let hit: boolean;
    if (c.field === '*' && c.value === '*') hit = true;
    else if (c.field === null || c.field === 'text') hit = valueMatches(Object.values(doc).flat(), c);
    else hit = valueMatches(doc[c.field] ?? [], c);
    if (c.negate) hit = !hit;
    result = result === null ? hit : c.op === 'AND' ? result && hit : result || hit;
  }
  return result ?? false;
}

export class SearchApi {
  constructor(private readonly ctx: SandboxContext) {}

  /** The public fields of one record, as ORCID's index holds them. */
  indexDoc(r: Researcher): Doc {
    const publicItems = (section: string): Item[] =>
      this.ctx.store.itemsOf(r.orcid, section).filter((i) => i.visibility === 'public');
    const names = r.namesVisibility === 'public';
    const str = (v: unknown): string => {
      if (typeof v === 'string') return v;
      if (v && typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value ?? '');
      return '';
    };
    const affiliations = AFFILIATION_SECTIONS.flatMap((s) => publicItems(s));
    const orgName = (i: Item): string =>
      str((i.data.organization as Record<string, unknown> | undefined)?.name);
    const current = affiliations.filter((i) => !i.data['end-date']).map(orgName);
    const past = affiliations.filter((i) => i.data['end-date']).map(orgName);
    const orgIds = (source: string): string[] =>
      affiliations
        .map(
          (i) =>
            (i.data.organization as Record<string, Record<string, string>> | undefined)?.[
              'disambiguated-organization'
            ],
        )
        .filter((d) => d && d['disambiguation-source'] === source)
        .map((d) => d!['disambiguated-organization-identifier'] ?? '');
    const works = publicItems('work');
    const workIds = works.flatMap(
      (w) =>
        ((w.data['external-ids'] as Record<string, unknown> | undefined)?.['external-id'] as Array<
          Record<string, unknown>
        >) ?? [],
    );
    return {
      orcid: [r.orcid],
      'given-names': names ? [r.givenNames] : [],
      'family-name': names ? [r.familyNames] : [],
      'given-and-family-names': names ? [`${r.givenNames} ${r.familyNames}`] : [],
      'credit-name': names && r.creditName ? [r.creditName] : [],
      'other-names': publicItems('other-names').map((i) => str(i.data.content)),
      email: r.emailVisibility === 'public' ? [r.email] : [],
      keyword: publicItems('keywords').map((i) => str(i.data.content)),
      biography: r.biography && names ? [r.biography] : [],
      'affiliation-org-name': [...current, ...past],
      'current-institution-affiliation-name': current,
      'past-institution-affiliation-name': past,
      'ringgold-org-id': orgIds('RINGGOLD'),
      'grid-org-id': orgIds('GRID'),
      'ror-org-id': orgIds('ROR'),
      title: works.map((w) => str((w.data.title as Record<string, unknown> | undefined)?.title)),
      'funding-titles': publicItems('funding').map((f) =>
        str((f.data.title as Record<string, unknown> | undefined)?.title),
      ),
      'external-id-reference': publicItems('external-identifiers').map((i) =>
        str(i.data['external-id-value']),
      ),
      'digital-object-ids': workIds
        .filter((id) => id['external-id-type'] === 'doi')
        .map((id) => str(id['external-id-value'])),
      'doi-self': workIds
        .filter((id) => id['external-id-type'] === 'doi' && id['external-id-relationship'] === 'self')
        .map((id) => str(id['external-id-value'])),
    };
  }

  handle(
    caller: Caller,
    kind: 'search' | 'expanded-search' | 'csv-search',
    query: Record<string, string>,
  ): ApiResult {
    if (caller.viewer.api === 'member') requireScope(caller, '/read-public');
    const rows = query.rows === undefined ? 1000 : Number(query.rows);
    if (!Number.isInteger(rows) || rows < 0 || rows > 1000)
      throw new OrcidApiError(9012, {}, 'The rows parameter must be an integer between 0 and 1000');
    const start = query.start === undefined ? 0 : Number(query.start);
    if (!Number.isInteger(start) || start < 0 || (caller.token === null && start > 10000))
      throw new OrcidApiError(9043);
    const clauses = parseQuery(query.q ?? '');
    const found = [...this.ctx.store.researchers.values()]
      .filter((r) => r.state === 'active')
      .map((r) => ({ r, doc: this.indexDoc(r) }))
      .filter(({ doc }) => matches(doc, clauses))
      .sort((a, b) => a.r.orcid.localeCompare(b.r.orcid));
    const page = found.slice(start, start + rows);
    const { urls } = this.ctx;
    if (kind === 'search') {
      return {
        status: 200,
        doc: {
          ns: NS('search'),
          element: 'search',
          json: {
            result: page.map(({ r }) => ({
              'orcid-identifier': { uri: urls.orcidUri(r.orcid), path: r.orcid, host: urls.host },
            })),
            'num-found': found.length,
          },
        },
      };
    }
    if (kind === 'expanded-search') {
      const result: Json[] = page.map(({ r, doc }) => ({
        'orcid-id': r.orcid,
        'given-names': doc['given-names']![0] ?? null,
        'family-names': doc['family-name']![0] ?? null,
        'credit-name': doc['credit-name']![0] ?? null,
        'other-name': doc['other-names']!,
        email: doc.email!,
        'institution-name': [...new Set(doc['affiliation-org-name'])].sort(),
      }));
      return {
        status: 200,
        doc: {
          ns: NS('expanded-search'),
          element: 'expanded-search',
          json: { 'expanded-result': result, 'num-found': found.length },
        },
      };
    }
    const fields = (query.fl ?? 'orcid,given-names,family-name').split(',').map((f) => f.trim());
    const unknown = fields.filter((f) => !CSV_FIELDS.includes(f));
    if (unknown.length) throw new OrcidApiError(9012, {}, `Unknown fl fields: ${unknown.join(', ')}`);
    const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [fields.join(',')];
    for (const { doc } of page) lines.push(fields.map((f) => csvCell((doc[f] ?? []).join(';'))).join(','));
    return { status: 200, raw: { contentType: 'text/csv;charset=UTF-8', body: `${lines.join('\n')}\n` } };
  }
}
