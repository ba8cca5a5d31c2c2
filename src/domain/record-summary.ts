// What the portal shows of a record right after connecting: the researcher's name (as far as
// they made it visible to us) and their current employments. Record content is untrusted text:
// it is only ever rendered through escaping views.

export interface EmploymentLine {
  organization: string;
  role: string | null;
  department: string | null;
  startYear: string | null;
}

export interface RecordSummary {
  name: string | null;
  employments: EmploymentLine[];
}

type J = Record<string, unknown> | null | undefined;

const obj = (v: unknown): J => (v && typeof v === 'object' ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const wrapped = (v: unknown): string | null => str(obj(v)?.value);

export function summarizeRecord(record: unknown): RecordSummary {
  const r = obj(record);
  const name = obj(obj(r?.person)?.name);
  const credit = wrapped(name?.['credit-name']);
  const full = [wrapped(name?.['given-names']), wrapped(name?.['family-name'])].filter(Boolean).join(' ');
  const groups = obj(obj(r?.['activities-summary'])?.employments)?.['affiliation-group'];
  const employments: EmploymentLine[] = [];
  for (const g of Array.isArray(groups) ? groups : []) {
    const summaries = obj(g)?.summaries;
    // A group is one employment as several sources assert it: the first summary is ORCID's pick.
    const s = obj(obj(Array.isArray(summaries) ? summaries[0] : null)?.['employment-summary']);
    if (!s || obj(s['end-date'])) continue;
    const organization = str(obj(s.organization)?.name);
    if (!organization) continue;
    employments.push({
      organization,
      role: str(s['role-title']),
      department: str(s['department-name']),
      startYear: wrapped(obj(s['start-date'])?.year),
    });
  }
  return { name: credit ?? (full || null), employments };
}
