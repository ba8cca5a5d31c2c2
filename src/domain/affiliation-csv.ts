// The affiliations CSV (docs/uploads.md): one row per affiliation, columns recognised under
// several spellings, every problem reported by row and column. Parsing is all-or-nothing: the
// caller gets either every row, or every problem.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { isCountryCode } from './countries.js';
import { AFFILIATION_SECTIONS, fuzzyDate } from './item.js';
import { type UploadProblem, UploadRefused } from './upload-file.js';

export const DISAMBIGUATION_SOURCES = ['ROR', 'RINGGOLD', 'GRID', 'FUNDREF', 'LEI'] as const;

/** The columns, in export order, with the other spellings accepted in headers. */
export const AFFILIATION_COLUMNS = {
  local_id: ['person', 'person_id', 'employee_id', 'employee_number', 'staff_id', 'staff_number'],
  email: ['e_mail', 'email_address', 'mail'],
  given_names: ['given_name', 'first_name', 'firstname', 'forename', 'forenames'],
  family_name: ['surname', 'last_name', 'lastname'],
  left_on: ['left', 'leaving_date', 'date_left'],
  source_key: ['key', 'affiliation_id', 'affiliation_key', 'record_id'],
  type: ['affiliation_type', 'section', 'affiliation'],
  role: ['role_title', 'title', 'position', 'job_title'],
  department: ['department_name', 'dept', 'unit'],
  start_date: ['start', 'from', 'date_from'],
  end_date: ['end', 'to', 'date_to'],
  organisation: ['organization', 'org', 'organisation_name', 'organization_name', 'institution'],
  city: ['town'],
  region: ['state', 'province', 'county'],
  country: ['country_code'],
  disambiguated_id: [
    'disambiguated_organization_identifier',
    'org_identifier',
    'organisation_id',
    'organization_id',
  ],
  disambiguation_source: ['org_identifier_source', 'organisation_id_source', 'organization_id_source'],
  url: ['link', 'web_address'],
  action: ['desired', 'desired_state', 'operation'],
} as const;
export type AffiliationColumn = keyof typeof AFFILIATION_COLUMNS;
/** Written by the export and ignored when the file comes back. */
export const EXPORT_ONLY_COLUMNS = ['put_code', 'status', 'status_detail'] as const;
const REQUIRED: AffiliationColumn[] = ['local_id', 'source_key', 'type'];

const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

const ALIASES = new Map<string, string>();
for (const [column, others] of Object.entries(AFFILIATION_COLUMNS)) {
  ALIASES.set(column, column);
  for (const o of others) ALIASES.set(o, column);
}
for (const c of EXPORT_ONLY_COLUMNS) ALIASES.set(c, c);

export type AffiliationRow = Partial<Record<AffiliationColumn, string>> & {
  local_id: string;
  source_key: string;
  type: (typeof AFFILIATION_SECTIONS)[number];
};

export interface ParsedAffiliation {
  row: number;
  values: AffiliationRow;
  section: (typeof AFFILIATION_SECTIONS)[number];
  desired: 'present' | 'absent';
  payload: Record<string, unknown>;
  person: { email?: string; givenNames?: string; familyName?: string };
  leftOn?: string;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

function dateProblem(value: string): string | null {
  const m = PARTIAL_DATE.exec(value);
  if (!m) return `"${value}" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD`;
  const [, y, mo, d] = m;
  if (mo && (Number(mo) < 1 || Number(mo) > 12)) return `"${value}" has no month ${mo}`;
  if (d) {
    const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (date.getUTCDate() !== Number(d)) return `"${value}" is not a day of the calendar`;
  }
  return null;
}

const sectionOf = (v: string) =>
  v
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
const ACTIONS: Record<string, 'present' | 'absent'> = {
  '': 'present',
  present: 'present',
  add: 'present',
  update: 'present',
  delete: 'absent',
  absent: 'absent',
  remove: 'absent',
};

// A module function rather than a closure per row: every row of an upload is checked.
function addProblem(problems: UploadProblem[], row: number, column: string, message: string): void {
  problems.push({ row, column, message });
}

/** A cell that a spreadsheet would run as a formula was written with a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;
const unneutralise = (v: string) => (v.startsWith("'") && FORMULA_START.test(v.slice(1)) ? v.slice(1) : v);
export const neutralise = (v: string) => (FORMULA_START.test(v) ? `'${v}` : v);

const email = z.email();

const CSV_OPTIONS = { skip_empty_lines: true, relax_column_count: false, bom: true } as const;

const unreadable = (e: unknown) => {
  const err = e as Error & { lines?: number };
  return new UploadRefused([
    { row: err.lines ?? null, column: null, message: `The CSV cannot be read: ${err.message}` },
  ]);
};

/** The canonical column of each header cell; throws UploadRefused naming every header problem. */
export function affiliationColumns(header: string[] | undefined): string[] {
  if (!header) throw new UploadRefused([{ row: null, column: null, message: 'The file is empty.' }]);
  const problems: UploadProblem[] = [];
  const columns = header.map((h) => ALIASES.get(headerKey(h)));
  header.forEach((h, i) => {
    if (!columns[i])
      problems.push({
        row: 1,
        column: h,
        message: `Unknown column "${h}". Columns: ${Object.keys(AFFILIATION_COLUMNS).join(', ')}.`,
      });
    else if (columns.indexOf(columns[i]) !== i)
      problems.push({ row: 1, column: h, message: `Column ${columns[i]} appears twice.` });
  });
  for (const r of REQUIRED)
    if (!columns.includes(r))
      problems.push({ row: 1, column: r, message: `The required column ${r} is missing.` });
  if (problems.length) throw new UploadRefused(problems);
  return columns as string[];
}

/**
 * One data row (`row` is its spreadsheet number) checked on its own: the affiliation, or its
 * problems. Whether its source key repeats an earlier row's is the caller's to check.
 */
export function checkAffiliationRow(
  columns: string[],
  cells: string[],
  row: number,
): { affiliation: ParsedAffiliation; problems: UploadProblem[] } {
  const problems: UploadProblem[] = [];
  const v: Record<string, string> = {};
  // Loops and no closures: every row of an upload passes here.
  for (let i = 0; i < cells.length; i++) {
    const value = unneutralise(cells[i]!.trim());
    const column = columns[i]!;
    if (value && !(EXPORT_ONLY_COLUMNS as readonly string[]).includes(column)) v[column] = value;
  }
  for (const r of REQUIRED) if (!v[r]) addProblem(problems, row, r, `${r} is empty.`);

  const section = sectionOf(v.type ?? '');
  if (v.type && !(AFFILIATION_SECTIONS as readonly string[]).includes(section))
    addProblem(
      problems,
      row,
      'type',
      `"${v.type}" is not an affiliation type: ${AFFILIATION_SECTIONS.join(', ')}.`,
    );
  const desired = ACTIONS[(v.action ?? '').toLowerCase()];
  if (!desired) addProblem(problems, row, 'action', `"${v.action}" is not an action: present or delete.`);
  for (const c of ['start_date', 'end_date', 'left_on'] as const) {
    const p = v[c] && dateProblem(v[c]);
    if (p) addProblem(problems, row, c, p);
  }
  if (v.start_date && v.end_date && !dateProblem(v.start_date) && !dateProblem(v.end_date)) {
    if (v.end_date.localeCompare(v.start_date) < 0 && !v.start_date.startsWith(v.end_date))
      addProblem(problems, row, 'end_date', `The end (${v.end_date}) is before the start (${v.start_date}).`);
  }
  if (v.country) {
    v.country = v.country.toUpperCase();
    if (!isCountryCode(v.country))
      addProblem(problems, row, 'country', `"${v.country}" is not an ISO 3166 country code (e.g. NZ, GB).`);
  }
  if (v.organisation && (!v.city || !v.country))
    addProblem(problems, row, v.city ? 'country' : 'city', 'An organisation needs its city and country.');
  if (!v.organisation && (v.city || v.region || v.country || v.disambiguated_id))
    addProblem(
      problems,
      row,
      'organisation',
      'City, region, country and identifier describe an organisation: name it too.',
    );
  if (v.organisation && !v.disambiguated_id && !v.disambiguation_source)
    addProblem(
      problems,
      row,
      'disambiguated_id',
      "ORCID needs the organisation's identifier (ROR, RINGGOLD, GRID, FUNDREF or LEI).",
    );
  else if (!!v.disambiguated_id !== !!v.disambiguation_source)
    addProblem(
      problems,
      row,
      v.disambiguated_id ? 'disambiguation_source' : 'disambiguated_id',
      'The organisation identifier and its source go together.',
    );
  if (v.disambiguation_source) {
    v.disambiguation_source = v.disambiguation_source.toUpperCase();
    if (!(DISAMBIGUATION_SOURCES as readonly string[]).includes(v.disambiguation_source))
      addProblem(
        problems,
        row,
        'disambiguation_source',
        `"${v.disambiguation_source}" is not one of ${DISAMBIGUATION_SOURCES.join(', ')}.`,
      );
  }
  if (v.url && !URL.canParse(v.url)) addProblem(problems, row, 'url', `"${v.url}" is not a web address.`);
  if (v.email && !email.safeParse(v.email).success)
    addProblem(problems, row, 'email', `"${v.email}" is not an email address.`);
  for (const c in v) {
    const value = v[c]!;
    if (value.length > 1000) addProblem(problems, row, c, 'The value is longer than 1,000 characters.');
    if (value.includes('\u0000')) addProblem(problems, row, c, 'The value contains a NUL character.');
  }

  const affiliation: ParsedAffiliation = {
    row,
    values: { ...v, type: section } as AffiliationRow,
    section: section as ParsedAffiliation['section'],
    desired: desired ?? 'present',
    payload: affiliationPayload(v),
    person: { email: v.email, givenNames: v.given_names, familyName: v.family_name },
    leftOn: v.left_on,
  };
  return { affiliation, problems };
}

export function parseAffiliationsCsv(text: string): ParsedAffiliation[] {
  let records: string[][];
  try {
    records = parse(text, CSV_OPTIONS);
  } catch (e) {
    throw unreadable(e);
  }
  const [header, ...rows] = records;
  const columns = affiliationColumns(header);
  if (!rows.length) throw new UploadRefused([{ row: null, column: null, message: 'The file has no rows.' }]);
  const problems: UploadProblem[] = [];
  const seen = new Map<string, number>();
  const parsed = rows.map((cells, index) => {
    const checked = checkAffiliationRow(columns, cells, index + 2);
    problems.push(...checked.problems);
    const { row, values } = checked.affiliation;
    const first = seen.get(values.source_key);
    if (first) problems.push({ row, column: 'source_key', message: duplicateKey(values.source_key, first) });
    else if (values.source_key) seen.set(values.source_key, row);
    return checked.affiliation;
  });
  if (problems.length) throw new UploadRefused(problems);
  return parsed;
}

export const duplicateKey = (key: string, firstRow: number) => `${key} is already on row ${firstRow}.`;

/**
 * The CSV read as a stream of text: yields each data row checked (with its problems), after the
 * header was checked (a header problem or an unreadable file throws UploadRefused). Memory stays
 * bounded by the batch, whatever the file's size.
 */
export async function* readAffiliationsCsv(
  text: AsyncIterable<string>,
): AsyncGenerator<{ affiliation: ParsedAffiliation; problems: UploadProblem[] }> {
  const parser = parseStream(CSV_OPTIONS);
  // An error of the source (e.g. the file is not UTF-8) ends the parser with that error.
  pipeline(Readable.from(text), parser).catch(() => undefined);
  let columns: string[] | undefined;
  let row = 1;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!columns) {
        columns = affiliationColumns(cells);
        continue;
      }
      row += 1;
      yield checkAffiliationRow(columns, cells, row);
    }
  } catch (e) {
    if (e instanceof UploadRefused) throw e;
    throw unreadable(e);
  } finally {
    parser.destroy();
  }
  if (!columns) affiliationColumns(undefined);
  if (row === 1) throw new UploadRefused([{ row: null, column: null, message: 'The file has no rows.' }]);
}

/** ORCID's affiliation JSON for a row (without an organisation, the tenant's is used). */
function affiliationPayload(v: Record<string, string>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  if (v.department) payload['department-name'] = v.department;
  if (v.role) payload['role-title'] = v.role;
  if (v.start_date) payload['start-date'] = fuzzyDate(v.start_date);
  if (v.end_date) payload['end-date'] = fuzzyDate(v.end_date);
  if (v.url) payload.url = { value: v.url };
  if (v.organisation)
    payload.organization = {
      name: v.organisation,
      address: { city: v.city, region: v.region ?? null, country: v.country },
      'disambiguated-organization': v.disambiguated_id
        ? {
            'disambiguated-organization-identifier': v.disambiguated_id,
            'disambiguation-source': v.disambiguation_source,
          }
        : null,
    };
  return payload;
}

/** The upload again, each row with its put code and status; cells are safe to open in a spreadsheet. */
export function affiliationsCsv(
  rows: Array<{
    values: Record<string, string | undefined>;
    putCode: string | null;
    status: string;
    detail: string | null;
  }>,
): string {
  const header = [...Object.keys(AFFILIATION_COLUMNS), ...EXPORT_ONLY_COLUMNS];
  const lines = rows.map((r) => [
    ...Object.keys(AFFILIATION_COLUMNS).map((c) => neutralise(r.values[c] ?? '')),
    r.putCode ?? '',
    r.status,
    neutralise(r.detail ?? ''),
  ]);
  return stringify([header, ...lines]);
}
