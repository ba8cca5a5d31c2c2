// Secrets never reach a log line or the call log: Authorization headers, access/refresh/id
// tokens (in headers, JSON and form bodies, query strings), client secrets, the tokens of
// webhook callbacks, and OAuth states (an ORCID inbox request carries one in its URL).

const SECRET_FIELDS = [
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'token',
  'subject_token',
  'code',
  'state',
];
const REDACTED = '[redacted]';

const fieldPattern = SECRET_FIELDS.join('|');
// "key":"value" in JSON, key=value in forms and query strings (also inside a JSON string: a URL).
const JSON_FIELD = new RegExp(`("(?:${fieldPattern})"\\s*:\\s*)"[^"]*"`, 'g');
const FORM_FIELD = new RegExp(`((?:^|[?&])(?:${fieldPattern})=)[^&#\\s"]*`, 'g');
// ORCID echoes secrets in some error texts: "Invalid access token: <uuid>", "Reused
// authorization code: <code>", "Invalid refresh token: <uuid>", "Access Denied: <token>".
const ECHOED_TOKEN = /((?:access token|refresh token|authorization code|Access Denied): )[^"\s,}<]+/gi;
const BEARER = /(Bearer\s+)[^\s",]+/gi;
// A webhook callback's last segment is its secret (Lanyard's /hooks/orcid/<token>): in the
// registration URL it is percent-encoded, in ORCID's messages it may be plain.
const CALLBACK_TOKEN = /((?:\/|%2F)hooks(?:\/|%2F)orcid(?:\/|%2F))[A-Za-z0-9_-]+/gi;

export function redactText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return text
    .replace(JSON_FIELD, `$1"${REDACTED}"`)
    .replace(FORM_FIELD, `$1${REDACTED}`)
    .replace(ECHOED_TOKEN, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(CALLBACK_TOKEN, `$1${REDACTED}`);
}

export function redactUrl(url: string): string {
  return redactText(url) ?? url;
}

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = k.toLowerCase() === 'authorization' ? REDACTED : v;
  return out;
}

/** `redactText`, and also each secret the caller knows of wherever it appears (in any wording). */
export function redactKnown(
  text: string | null | undefined,
  secrets: Array<string | null | undefined>,
): string | null {
  let out = redactText(text);
  if (out === null) return null;
  for (const secret of secrets) if (secret && secret.length >= 8) out = out.replaceAll(secret, REDACTED);
  return out;
}
