// What the console asks of the ORCID call log: the filters an administrator (or ORCID support,
// through a shared link) narrows the calls with, and the rows a page shows. Newest first, paged by
// key (the time and id of the last call shown).
export const CALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type CallMethod = (typeof CALL_METHODS)[number];

/** An answer status, a class of them, or no answer at all (the call failed on the way). */
export type CallStatusFilter = number | '2xx' | '4xx' | '5xx' | 'none';

export interface CallQuery {
  orcid?: string | undefined;
  /** The iDs of a person (resolved from their local id by the service). */
  orcids?: string[] | undefined;
  method?: CallMethod | undefined;
  /** Any part of the path (e.g. "/work", "/employment/123"). */
  path?: string | undefined;
  status?: CallStatusFilter | undefined;
  errorCode?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** The page continues after this call (older ones). */
  after?: { at: string; id: string } | undefined;
  limit: number;
}

export interface CallRow {
  id: string;
  created_at: Date;
  /** created_at as PostgreSQL writes it (full precision): the page key. */
  at: string;
  orcid: string | null;
  method: string;
  url: string;
  status: number | null;
  error_code: number | null;
  error: string | null;
  duration_ms: number;
  attempt: number;
}

export interface CallWithBodies extends CallRow {
  request_body: string | null;
  response_body: string | null;
}

/** The status filter a form value names (null: not one). */
export function callStatusFilter(v: string): CallStatusFilter | null {
  if (v === '2xx' || v === '4xx' || v === '5xx' || v === 'none') return v;
  return /^[1-5]\d\d$/.test(v) ? Number(v) : null;
}
