// ORCID's answers as typed errors, each saying which item status it leads to (docs/api.md, Behaviour).
import { ORCID_ERROR } from '../../lib/orcid-model/error-codes.js';
import type { ItemStatus } from '../domain/item.js';
import { redactText } from './redact.js';

export type ItemErrorStatus = Extract<
  ItemStatus,
  'revoked' | 'deleted_by_researcher' | 'record_unavailable' | 'invalid' | 'retrying' | 'failed'
>;

export type OrcidErrorKind =
  /** 401 invalid_token: the token was revoked or expired; the person must connect again. */
  | 'revoked'
  /** 404 / 9016: the item (or record) is gone. On a known put code: the researcher deleted it. */
  | 'not_found'
  /** 409 / 9021 or 9030: the same client already holds the item; `existingPutCode` recovers it. */
  | 'duplicate'
  /** 301 or 409 / 9007, 9018, 9044: deprecated, locked or deactivated record. */
  | 'record_unavailable'
  /** 400 and other 4xx about the payload: shown with ORCID's message, never retried. */
  | 'invalid'
  /** 403: not the source, missing scope, wrong record. */
  | 'forbidden'
  /** 5xx, 503 over the rate limit, 429, timeouts and dropped connections: retried with backoff. */
  | 'transient'
  /** Errors at /oauth/token (bad code, bad client credentials, …). */
  | 'oauth';

const STATUS_OF_KIND: Record<OrcidErrorKind, ItemErrorStatus> = {
  revoked: 'revoked',
  not_found: 'deleted_by_researcher',
  duplicate: 'invalid',
  record_unavailable: 'record_unavailable',
  invalid: 'invalid',
  forbidden: 'failed',
  transient: 'retrying',
  oauth: 'failed',
};

export interface OrcidErrorDetails {
  kind: OrcidErrorKind;
  status: number | null;
  /** ORCID's error-code (9016, 9021, …) when the body had one. */
  errorCode: number | null;
  /** OAuth's `error` (invalid_token, invalid_grant, …) when the body had one. */
  oauthError: string | null;
  developerMessage: string | null;
  userMessage: string | null;
  /** 9021: the put code ORCID names as the existing item. */
  existingPutCode: number | null;
  /** 9007: the iD the deprecated record was merged into. */
  primaryOrcid: string | null;
  /** Retry-After from a 503/429, in milliseconds. */
  retryAfterMs: number | null;
}

export class OrcidError extends Error {
  readonly details: OrcidErrorDetails;

  /**
   * ORCID echoes tokens and codes in its error texts ("Invalid access token: <token>"): every
   * text is redacted here, so that none reaches an item's status, an event, a page or a log.
   */
  constructor(message: string, details: Partial<OrcidErrorDetails> & { kind: OrcidErrorKind }) {
    super(redactText(message) ?? '');
    this.name = 'OrcidError';
    this.details = {
      status: null,
      errorCode: null,
      oauthError: null,
      existingPutCode: null,
      primaryOrcid: null,
      retryAfterMs: null,
      ...details,
      developerMessage: redactText(details.developerMessage),
      userMessage: redactText(details.userMessage),
    };
  }

  get kind(): OrcidErrorKind {
    return this.details.kind;
  }

  /** The item status this error leads to. */
  get itemStatus(): ItemErrorStatus {
    return STATUS_OF_KIND[this.details.kind];
  }

  get retriable(): boolean {
    return this.details.kind === 'transient';
  }
}

const ORCID_ID = /\d{4}-\d{4}-\d{4}-\d{3}[\dX]/;

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The ORCID error body in either format, reduced to the fields that matter. */
function readBody(
  text: string,
): Pick<OrcidErrorDetails, 'errorCode' | 'oauthError' | 'developerMessage' | 'userMessage'> {
  const json = parseJson(text);
  if (json) {
    const code = json['error-code'];
    return {
      errorCode:
        typeof code === 'number'
          ? code
          : typeof code === 'string' && /^\d+$/.test(code)
            ? Number(code)
            : null,
      oauthError: typeof json.error === 'string' ? json.error : null,
      developerMessage:
        (json['developer-message'] as string | undefined) ??
        (json.error_description as string | undefined) ??
        (json['error-description'] as string | undefined) ??
        null,
      userMessage: (json['user-message'] as string | undefined) ?? null,
    };
  }
  const tag = (name: string) =>
    new RegExp(`<error:${name}>([\\s\\S]*?)</error:${name}>`).exec(text)?.[1] ?? null;
  const code = tag('error-code');
  return {
    errorCode: code && /^\d+$/.test(code.trim()) ? Number(code) : null,
    oauthError: null,
    developerMessage: tag('developer-message'),
    userMessage: tag('user-message'),
  };
}

function retryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Classifies an HTTP answer that is not a success. */
export function errorFromResponse(
  status: number,
  body: string,
  headers: { location?: string | null; retryAfter?: string | null },
  context: { tokenEndpoint?: boolean } = {},
): OrcidError {
  const b = readBody(body);
  const base = { status, ...b, retryAfterMs: retryAfter(headers.retryAfter ?? null) };
  const message = `ORCID ${status}${b.errorCode ? ` / ${b.errorCode}` : ''}${b.oauthError ? ` ${b.oauthError}` : ''}: ${
    b.developerMessage ?? b.userMessage ?? body.slice(0, 200)
  }`;
  if (status >= 500 || status === 429 || status === 408)
    return new OrcidError(message, { kind: 'transient', ...base });
  if (context.tokenEndpoint) return new OrcidError(message, { kind: 'oauth', ...base });
  if (status === 401 && b.oauthError === 'invalid_token')
    return new OrcidError(message, { kind: 'revoked', ...base });
  if (status === 301 || b.errorCode === ORCID_ERROR.DEPRECATED) {
    const primary =
      ORCID_ID.exec(headers.location ?? '')?.[0] ?? ORCID_ID.exec(b.developerMessage ?? '')?.[0] ?? null;
    return new OrcidError(message, { kind: 'record_unavailable', ...base, primaryOrcid: primary });
  }
  const unavailable: number[] = [ORCID_ERROR.LOCKED, ORCID_ERROR.DEACTIVATED, ORCID_ERROR.UNCLAIMED];
  if (b.errorCode !== null && unavailable.includes(b.errorCode))
    return new OrcidError(message, { kind: 'record_unavailable', ...base });
  if (b.errorCode === ORCID_ERROR.DUPLICATE_EXTERNAL_ID || b.errorCode === ORCID_ERROR.DUPLICATE_ELEMENT) {
    const pc = /put-code (\d+)/.exec(b.developerMessage ?? '')?.[1];
    return new OrcidError(message, { kind: 'duplicate', ...base, existingPutCode: pc ? Number(pc) : null });
  }
  if (status === 404) return new OrcidError(message, { kind: 'not_found', ...base });
  if (status === 401 || status === 403) return new OrcidError(message, { kind: 'forbidden', ...base });
  return new OrcidError(message, { kind: 'invalid', ...base });
}

/** Timeouts, resets and refused connections. */
export function transportError(cause: unknown): OrcidError {
  const e = cause as { code?: string; name?: string; message?: string };
  return new OrcidError(`ORCID unreachable: ${e.code ?? e.name ?? 'error'} ${e.message ?? ''}`.trim(), {
    kind: 'transient',
  });
}
