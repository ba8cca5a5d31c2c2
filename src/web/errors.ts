// The errors a route ends with, each with a stable id that integrators and tests can rely on.
// A route throws one (`throw webErrors.unknownTenant()`); plugins/error-pages answers it as the
// localised error page for people and as `{ error, message, field? }` JSON for the APIs, so no
// route writes an error answer of its own.

/** The error page's texts (locales: `<page>Title`, `<page>Text`). */
export type ErrorPageKey =
  | 'notFound'
  | 'csrf'
  | 'serverError'
  | 'tooMany'
  | 'badRequest'
  | 'forbidden'
  | 'unavailable'
  | 'suspended';

export type WebErrorId =
  | 'unknown_tenant'
  | 'not_found'
  | 'sign_in_required'
  | 'admin_required'
  | 'csrf_invalid'
  | 'invalid_body'
  | 'invalid_path'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'conflict'
  | 'rate_limited'
  | 'orcid_unavailable'
  | 'server_error'
  | 'unavailable'
  | 'suspended'
  | 'operator_required';

/** One field at fault, as the API's 400 bodies name them (`a.b` for a nested one). */
export interface FieldProblem {
  field: string;
  message: string;
}

export class WebError extends Error {
  override readonly name = 'WebError';
  constructor(
    /** Stable: part of the API's answers (`error`), never reworded. */
    readonly id: WebErrorId,
    readonly statusCode: number,
    /** The page people see. */
    readonly page: ErrorPageKey,
    /** For integrators (the API's `message`); English, without secrets. */
    message: string,
    /** The fields at fault, where the error is about input. */
    readonly problems: readonly FieldProblem[] = [],
    /** Headers the answer carries (Retry-After, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The API's body: `{ error, message, field? }`, with every field named when more than one. */
  toJSON(): { error: WebErrorId; message: string; field?: string; problems?: FieldProblem[] } {
    const [first] = this.problems;
    return {
      error: this.id,
      message: this.message,
      ...(first ? { field: first.field, problems: [...this.problems] } : {}),
    };
  }
}

export const isWebError = (e: unknown): e is WebError => e instanceof WebError;

export const webErrors = {
  unknownTenant: () => new WebError('unknown_tenant', 404, 'notFound', 'No organisation at this address.'),
  notFound: (message = 'There is nothing at this address.') =>
    new WebError('not_found', 404, 'notFound', message),
  /** The admin area to someone not signed in (401) or signed in without the role (403). */
  adminRequired: (signedIn: boolean) =>
    signedIn
      ? new WebError('admin_required', 403, 'forbidden', 'Administrators only.')
      : new WebError('sign_in_required', 401, 'forbidden', 'Sign in first.'),
  csrfInvalid: () =>
    new WebError('csrf_invalid', 403, 'csrf', 'The form has expired or was not sent from this site.'),
  /** A path or body at fault; input refused before any route saw it (a NUL character, nesting
   * too deep, a malformed multipart body) is answered as `invalid_body`, as it always was. */
  invalidRequest: (where: 'path' | 'body', problems: FieldProblem[]) =>
    new WebError(
      where === 'path' ? 'invalid_path' : 'invalid_body',
      400,
      'badRequest',
      problems.length === 1
        ? `${problems[0]!.field}: ${problems[0]!.message}`
        : `${problems.length} problems`,
      problems,
    ),
  unauthorized: (message = 'A valid API key is required: Authorization: Bearer <key>.') =>
    new WebError('unauthorized', 401, 'forbidden', message, [], {
      'www-authenticate': 'Bearer realm="lanyard"',
    }),
  unsupportedMediaType: () =>
    new WebError('unsupported_media_type', 415, 'badRequest', 'Send the body as application/json.'),
  methodNotAllowed: (allow: string) =>
    new WebError('method_not_allowed', 405, 'badRequest', `Only ${allow} is answered here.`, [], { allow }),
  /** The request is valid but the thing is not in a state that allows it (said why). */
  conflict: (message: string) => new WebError('conflict', 409, 'badRequest', message),
  rateLimited: (retryAfterSeconds: number) =>
    new WebError(
      'rate_limited',
      429,
      'tooMany',
      `Too many requests: try again in ${retryAfterSeconds} s.`,
      [],
      { 'retry-after': String(retryAfterSeconds) },
    ),
  /** ORCID answered with an error or not at all, for a request that needed it. */
  orcidUnavailable: (why: string) =>
    new WebError('orcid_unavailable', 502, 'serverError', `ORCID could not be reached or refused: ${why}`),
  /** The installation's operator suspended the organisation: nothing is done for it until resumed. */
  suspended: () =>
    new WebError(
      'suspended',
      503,
      'suspended',
      "This organisation's ORCID service is suspended by the installation's operator.",
    ),
  /** The operator console to anyone not signed in there as an operator. */
  operatorRequired: () =>
    new WebError('operator_required', 403, 'forbidden', 'Operators of this installation only.'),
  serverError: () => new WebError('server_error', 500, 'serverError', 'The request could not be completed.'),
  /** The database is away (restarting, unreachable): the process recovers by itself. */
  unavailable: () =>
    new WebError(
      'unavailable',
      503,
      'unavailable',
      'The database cannot be reached right now; try again shortly.',
      [],
      {
        'retry-after': '5',
      },
    ),
};

/** PostgreSQL's and the network's ways of saying the database is away (not a fault of the request). */
const DATABASE_AWAY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Whether an error means the database could not be reached (answered 503, not 500). */
export function isDatabaseAway(e: unknown): boolean {
  const err = e as { code?: string; message?: string; errors?: unknown[] } | null;
  if (!err) return false;
  if (err.code && DATABASE_AWAY_CODES.has(err.code)) return true;
  if (Array.isArray(err.errors) && err.errors.some(isDatabaseAway)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err.message ?? '',
  );
}
