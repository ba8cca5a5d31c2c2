// Items the organisation asserts on ORCID records and their status machine (docs/api.md, Behaviour; docs/architecture.md).
// Framework-free: what to do next with an item, and what a change of its content means.
import { hash } from 'node:crypto';

/**
 * Every status an item can have (docs/api.md, Behaviour): the one list the database's check
 * constraint (test/integration/vocabulary.test.ts), the API's schemas and the views are held to.
 */
export const ITEM_STATUSES = [
  'pending',
  'queued',
  'in_orcid',
  'deleted',
  'revoked',
  'deleted_by_researcher',
  'record_unavailable',
  'invalid',
  'retrying',
  'failed',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/**
 * Writes that ORCID failed transiently are tried again after 5 s, 10 s, 20 s… (at most 15 minutes
 * apart); the attempt after the `limit`th retry is the last (a transient failure then ends
 * `failed`).
 */
export const WRITE_RETRY = { limit: 8, baseDelaySeconds: 5, maxDelaySeconds: 900 } as const;

/**
 * Work someone is waiting for (an administrator's retry) is dated this much earlier than now, so
 * that the tenant's claims take it before the backlog.
 */
export const PERSON_WAITS_AHEAD = '1 day';

export const AFFILIATION_SECTIONS = [
  'employment',
  'education',
  'qualification',
  'invited-position',
  'distinction',
  'membership',
  'service',
] as const;

/** What a member organisation may write (the ORCID client's section names). */
export const WRITABLE_SECTIONS = [
  ...AFFILIATION_SECTIONS,
  'work',
  'funding',
  'peer-review',
  'researcher-urls',
  'keywords',
  'other-names',
  'external-identifiers',
  'address',
] as const;
export type WritableSection = (typeof WRITABLE_SECTIONS)[number];

export const isWritableSection = (s: string): s is WritableSection =>
  (WRITABLE_SECTIONS as readonly string[]).includes(s);

/**
 * Canonical JSON (keys sorted at every level), so equal content always hashes the same. A property
 * whose value is undefined is written as null (as the hashes already stored were made); `seen`
 * records that one was, since JSON.stringify would leave it out.
 */
const QUOTED_KEYS = new Map<string, string>();
/** A property name as JSON: payloads of one kind share their few names, so each is quoted once. */
function quotedKey(k: string): string {
  let q = QUOTED_KEYS.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    // Bounded: property names come from the payloads an organisation sends.
    if (QUOTED_KEYS.size < 1000) QUOTED_KEYS.set(k, q);
  }
  return q;
}

function canonical(v: unknown, seen: { undefinedProperty: boolean }): string {
  // Loops rather than map/join: an upload canonicalises every row's payload.
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + canonical(v[i], seen);
    return `${s}]`;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    let s = '{';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (o[k] === undefined) seen.undefinedProperty = true;
      s += `${i ? ',' : ''}${quotedKey(k)}:${canonical(o[k], seen)}`;
    }
    return `${s}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * A payload's hash and its JSON text (the canonical text when it says the same as JSON.stringify
 * would: one serialisation serves both, which an upload does for every row).
 */
export function canonicalContent(payload: unknown): { json: string; hash: string } {
  const seen = { undefinedProperty: false };
  const text = canonical(payload, seen);
  return {
    json: seen.undefinedProperty ? JSON.stringify(payload) : text,
    hash: hash('sha256', text, 'base64url'),
  };
}

export function contentHash(payload: unknown): string {
  return canonicalContent(payload).hash;
}

export interface ItemState {
  desired_state: 'present' | 'absent';
  put_code: string | number | null;
  content_hash: string;
  written_hash: string | null;
  status: ItemStatus;
}

export type WriteAction = 'create' | 'update' | 'delete' | 'none';

/** The call that brings ORCID to the desired state (none when it is there, or must not be touched). */
export function nextAction(item: ItemState): WriteAction {
  // The researcher removed it in ORCID: never re-created without them.
  if (item.status === 'deleted_by_researcher') return 'none';
  if (item.desired_state === 'absent') return item.put_code !== null ? 'delete' : 'none';
  if (item.put_code === null) return 'create';
  return item.written_hash === item.content_hash ? 'none' : 'update';
}

/**
 * The status of an item after the organisation (re)states it: unchanged content keeps its
 * status; anything else waits for a write, or for the person to connect.
 */
export function statusAfterUpsert(
  existing: ItemState | null,
  next: { content_hash: string; desired_state: 'present' | 'absent' },
  personConnected: boolean,
): ItemStatus {
  if (
    existing &&
    existing.content_hash === next.content_hash &&
    existing.desired_state === next.desired_state &&
    existing.status !== 'failed' &&
    existing.status !== 'retrying'
  )
    return existing.status;
  if (!personConnected) return 'pending';
  const after = {
    ...(existing ?? { put_code: null, written_hash: null, status: 'queued' as const }),
    ...next,
  };
  return nextAction(after) === 'none' && existing ? existing.status : 'queued';
}

/** The organisation as the tenant describes itself (tenants.org_*). */
export interface OrganisationIdentity {
  name: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
  disambiguatedId: string | null;
  disambiguationSource: string | null;
}

/**
 * Affiliations name the organisation; when the payload does not, it is the tenant's own
 * (name, address, disambiguated id and source).
 */
export function withDefaultOrganisation(
  section: string,
  payload: Record<string, unknown>,
  org: OrganisationIdentity,
): Record<string, unknown> {
  if (!(AFFILIATION_SECTIONS as readonly string[]).includes(section) || payload.organization || !org.name)
    return payload;
  return {
    ...payload,
    organization: {
      name: org.name,
      address: { city: org.city, region: org.region, country: org.country },
      'disambiguated-organization':
        org.disambiguatedId && org.disambiguationSource
          ? {
              'disambiguated-organization-identifier': org.disambiguatedId,
              'disambiguation-source': org.disambiguationSource,
            }
          : null,
    },
  };
}

/** A date written YYYY, YYYY-MM or YYYY-MM-DD as ORCID's fuzzy date. */
export function fuzzyDate(iso: string): Record<string, { value: string }> {
  const [year, month, day] = iso.split('-');
  const date: Record<string, { value: string }> = { year: { value: year! } };
  if (month) date.month = { value: month };
  if (day) date.day = { value: day };
  return date;
}
