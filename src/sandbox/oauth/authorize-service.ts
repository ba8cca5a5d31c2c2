// GET /oauth/authorize: parameter checks, redirect-URI matching, consent and the redirect back
// (SPEC 3.2-3.6, 3.12, 5). Used by the browser flow and by the control API's headless authorize.
import type { SandboxContext } from '../context.js';
import { newAuthCode, newToken } from '../ids.js';
import type { Client, Researcher } from '../store/types.js';
import {
  CLIENT_CREDENTIAL_SCOPES,
  clientMayUse,
  IGNORED_OIDC_SCOPES,
  KNOWN_SCOPES,
  parseScopeParam,
} from './scopes.js';

/** An error shown on the registry's page: ORCID never redirects for these. */
export class AuthorizePageError extends Error {}

export interface AuthorizeRequest {
  clientId: string;
  client: Client;
  redirectUri: string;
  responseType: string;
  scopes: string[];
  state: string | undefined;
  nonce: string | undefined;
  prompt: string | undefined;
  maxAge: number | undefined;
}

export type AuthorizeCheck = { ok: AuthorizeRequest } | { redirect: string };

/** SPEC 3.5: same scheme, userinfo, host and port; the requested path starts with the registered one. */
export function redirectUriMatches(registered: string, requested: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(registered);
    b = new URL(requested);
  } catch {
    return false;
  }
  const cleanPath = (p: string): string => p.replace(/\/{2,}/g, '/');
  return (
    a.protocol === b.protocol &&
    a.username === b.username &&
    a.password === b.password &&
    a.hostname === b.hostname &&
    a.port === b.port &&
    cleanPath(b.pathname).startsWith(cleanPath(a.pathname))
  );
}

export function appendParams(
  uri: string,
  params: Record<string, string | undefined>,
  fragment = false,
): string {
  const qs = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  if (fragment) return `${uri.split('#')[0]}#${qs}`;
  const [base, hash] = uri.split('#');
  return `${base}${base!.includes('?') ? '&' : '?'}${qs}${hash !== undefined ? `#${hash}` : ''}`;
}

const RESPONSE_TYPES = ['code', 'token', 'id_token', 'id_token token', 'token id_token'];

export class AuthorizeService {
  constructor(private readonly ctx: SandboxContext) {}

  /** Validates the query. Errors before the redirect URI is trusted are page errors; later ones redirect. */
  check(q: Record<string, string | undefined>): AuthorizeCheck {
    if (!q.client_id) throw new AuthorizePageError('Please specify a client id');
    const client = this.ctx.store.clients.get(q.client_id);
    if (!client)
      throw new AuthorizePageError(
        `Invalid parameter: client_id (${q.client_id} is not a registered client)`,
      );
    if (!q.redirect_uri) throw new AuthorizePageError('Please specify a redirect URL');
    if (!client.redirectUris.some((r) => redirectUriMatches(r, q.redirect_uri!)))
      throw new AuthorizePageError("Redirect URI doesn't match your registered redirect URIs.");
    const redirectUri = q.redirect_uri;
    if (!q.response_type) throw new AuthorizePageError('Please specify a response type');
    const responseType = q.response_type.trim().replace(/\s+/g, ' ');
    if (!RESPONSE_TYPES.includes(responseType))
      return { redirect: appendParams(redirectUri, { error: 'unsupported_response_type' }, true) };
    if (!q.scope?.trim()) throw new AuthorizePageError('Please specify the desired scopes');
    const scopes = parseScopeParam(q.scope).filter((s) => !IGNORED_OIDC_SCOPES.has(s));
    const bad = scopes.filter(
      (s) => !KNOWN_SCOPES.has(s) || CLIENT_CREDENTIAL_SCOPES.has(s) || !clientMayUse(client, s),
    );
    if (bad.length || scopes.length === 0)
      return { redirect: appendParams(redirectUri, { error: 'invalid_scope' }, true) };
    if (responseType.includes('id_token') && !q.nonce)
      return { redirect: appendParams(redirectUri, { error: 'invalid_request' }, true) };
    let maxAge: number | undefined;
    if (q.max_age !== undefined) {
      maxAge = Number(q.max_age);
      if (!Number.isInteger(maxAge) || maxAge < 0)
        return {
          redirect: appendParams(redirectUri, {
            error: 'invalid_request',
            error_description: 'Invalid max_age param',
            state: q.state,
          }),
        };
    }
    return {
      ok: {
        clientId: client.clientId,
        client,
        redirectUri,
        responseType,
        scopes,
        state: q.state,
        nonce: q.nonce,
        prompt: q.prompt,
        maxAge,
      },
    };
  }

  /** SPEC 3.3: a persistent token with exactly the same scopes skips the consent screen. */
  canAutoApprove(req: AuthorizeRequest, orcid: string): boolean {
    if (req.prompt === 'confirm') return false;
    const wanted = [...req.scopes].sort().join(' ');
    return this.ctx.store
      .activeTokens(orcid, req.clientId)
      .some((t) => t.persistent && [...t.scopes].sort().join(' ') === wanted);
  }

  deny(req: AuthorizeRequest): string {
    return appendParams(req.redirectUri, {
      error: 'access_denied',
      error_description: 'User denied access',
      state: req.state,
    });
  }

  /** The researcher approved: a code (or implicit tokens) and the redirect back to the client. */
  approve(req: AuthorizeRequest, r: Researcher): string {
    const store = this.ctx.store;
    const now = store.now();
    const authTime = r.lastLogin ?? now;
    if (req.responseType === 'code') {
      let code = newAuthCode();
      while (store.codes.has(code)) code = newAuthCode();
      store.codes.set(code, {
        code,
        clientId: req.clientId,
        orcid: r.orcid,
        scopes: req.scopes,
        redirectUri: req.redirectUri,
        nonce: req.nonce ?? null,
        authTime,
        expiresAt: now + this.ctx.options.codeTtlSeconds * 1000,
        used: false,
      });
      return appendParams(req.redirectUri, { code, state: req.state });
    }
    // Implicit flow (SPEC 3.12): a 600-second token narrowed to /authenticate, /read-public or openid.
    const implicitScopes = req.scopes.filter(
      (s) => s === '/authenticate' || s === 'openid' || s === '/read-public',
    );
    const token = {
      accessToken: newToken(),
      refreshToken: null,
      clientId: req.clientId,
      orcid: r.orcid,
      scopes: implicitScopes.length ? implicitScopes : ['/authenticate'],
      expiresAt: now + 600 * 1000,
      issuedAt: now,
      persistent: false,
      disabled: false,
      revokeReason: null,
      fromCode: null,
    };
    store.saveToken(token);
    const params: Record<string, string | undefined> = {};
    if (req.responseType.includes('token') && req.responseType !== 'id_token') {
      params.access_token = token.accessToken;
      params.token_type = 'bearer';
      params.expires_in = '599';
      params.tokenVersion = '1';
      params.persistent = 'false';
    }
    if (req.responseType.includes('id_token')) {
      params.id_token = this.ctx.keys.idToken({
        client: req.client,
        researcher: r,
        issuer: this.ctx.urls.registry,
        accessToken: params.access_token ?? null,
        authTimeMs: authTime,
        nonce: req.nonce ?? null,
        nowMs: now,
      });
    }
    params.state = req.state;
    return appendParams(req.redirectUri, params, true);
  }
}
