// POST /oauth/token and /oauth/revoke (SPEC 3.7-3.11).
import type { SandboxContext } from '../context.js';
import { newToken } from '../ids.js';
import { LONG_LIFE_SECONDS } from '../store/sandbox-store.js';
import type { AccessToken, Client } from '../store/types.js';
import {
  CLIENT_CREDENTIAL_SCOPES,
  clientMayUse,
  expandScopes,
  KNOWN_SCOPES,
  parseScopeParam,
} from './scopes.js';

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }

  /** ORCID's key order: error, then error_description (the new server reverses it for invalid_client). */
  body(): Record<string, string> {
    return this.error === 'invalid_client'
      ? { error_description: this.description, error: this.error }
      : { error: this.error, error_description: this.description };
  }
}

export type Form = Record<string, string | undefined>;

export class TokenService {
  constructor(private readonly ctx: SandboxContext) {}

  /** Client authentication: `client_secret_post` or HTTP Basic. */
  authenticateClient(form: Form, authorization: string | undefined): Client {
    let id = form.client_id;
    let secret = form.client_secret;
    const basic = /^Basic\s+(\S+)/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    }
    if (!id) throw new OAuthError(401, 'invalid_request', 'client_id is required');
    const client = this.ctx.store.clients.get(id);
    if (!client || client.clientSecret !== secret)
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
    return client;
  }

  token(form: Form, authorization: string | undefined): Record<string, unknown> {
    if (!form.grant_type) throw new OAuthError(400, 'unsupported_grant_type', 'grant_type is missing');
    const client = this.authenticateClient(form, authorization);
    switch (form.grant_type) {
      case 'authorization_code':
        return this.exchangeCode(client, form);
      case 'refresh_token':
        return this.refresh(client, form);
      case 'client_credentials':
        return this.clientCredentials(client, form);
      default:
        throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${form.grant_type}`);
    }
  }

  private issue(
    client: Client,
    orcid: string | null,
    scopes: string[],
    expiresAt: number,
    fromCode: string | null,
  ): AccessToken {
    const store = this.ctx.store;
    const t: AccessToken = {
      accessToken: newToken(),
      refreshToken: newToken(),
      clientId: client.clientId,
      orcid,
      scopes,
      expiresAt,
      issuedAt: store.now(),
      persistent: true,
      disabled: false,
      revokeReason: null,
      fromCode,
    };
    store.saveToken(t);
    return t;
  }

  /** The token response, keys in ORCID's order (SPEC 3.7). */
  response(t: AccessToken, idToken?: string): Record<string, unknown> {
    const body: Record<string, unknown> = {
      access_token: t.accessToken,
      token_type: 'bearer',
      refresh_token: t.refreshToken,
      expires_in: Math.max(0, Math.floor((t.expiresAt - this.ctx.store.now()) / 1000) - 1),
      scope: t.scopes.join(' '),
    };
    if (t.orcid) {
      const r = this.ctx.store.researchers.get(t.orcid);
      body.name = r ? this.ctx.store.publicName(r) : null;
    }
    body.orcid = t.orcid;
    if (idToken) body.id_token = idToken;
    return body;
  }

  private exchangeCode(client: Client, form: Form): Record<string, unknown> {
    const store = this.ctx.store;
    const codeValue = form.code;
    if (!codeValue) throw new OAuthError(400, 'invalid_request', 'An authorization code must be supplied.');
    const code = store.codes.get(codeValue);
    if (!code || code.clientId !== client.clientId)
      throw new OAuthError(400, 'invalid_grant', `Invalid authorization code: ${codeValue}`);
    if (code.used) {
      // Reuse disables every token issued from this code (SPEC 3.6).
      for (const t of store.tokens.values()) {
        if (t.fromCode === codeValue && !t.disabled) {
          t.disabled = true;
          t.revokeReason = 'AUTH_CODE_REUSED';
        }
      }
      throw new OAuthError(400, 'invalid_grant', `Reused authorization code: ${codeValue}`);
    }
    if (code.expiresAt <= store.now())
      throw new OAuthError(400, 'invalid_request', 'Authorization code has expired');
    if (form.redirect_uri !== undefined && form.redirect_uri !== code.redirectUri)
      throw new OAuthError(400, 'invalid_grant', 'Redirect URI mismatch.');
    const asked = parseScopeParam(form.scope);
    const extra = asked.filter((s) => !code.scopes.includes(s));
    if (extra.length)
      throw new OAuthError(
        400,
        'invalid_scope',
        `Invalid scopes: ${extra.join(' ')} available scopes for this code are: [${code.scopes.join(', ')}]`,
      );
    const r = store.researchers.get(code.orcid);
    if (!r || r.state === 'deprecated' || r.state === 'deactivated')
      throw new OAuthError(400, 'unauthorized_client', 'The ORCID record is not active');
    code.used = true;
    const scopes = asked.length ? asked : code.scopes;
    const t = this.issue(client, code.orcid, scopes, store.now() + LONG_LIFE_SECONDS * 1000, codeValue);
    const idToken = scopes.includes('openid')
      ? this.ctx.keys.idToken({
          client,
          researcher: r,
          issuer: this.ctx.urls.registry,
          accessToken: t.accessToken,
          authTimeMs: code.authTime,
          nonce: code.nonce,
          nowMs: store.now(),
        })
      : undefined;
    return this.response(t, idToken);
  }

  private refresh(client: Client, form: Form): Record<string, unknown> {
    const store = this.ctx.store;
    if (!form.refresh_token) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
    const parentId = store.refreshTokens.get(form.refresh_token);
    const parent = parentId ? store.tokens.get(parentId) : undefined;
    if (!parent) throw new OAuthError(400, 'invalid_grant', `Invalid refresh token: ${form.refresh_token}`);
    if (parent.clientId !== client.clientId)
      throw new OAuthError(400, 'invalid_grant', 'This token does not belong to the given client');
    if (parent.disabled) throw new OAuthError(400, 'invalid_grant', 'Parent token is disabled');
    const allowed = expandScopes(parent.scopes);
    const asked = parseScopeParam(form.scope);
    for (const s of asked) {
      if (!allowed.has(s))
        throw new OAuthError(
          400,
          'invalid_scope',
          `The given scope '${s}' is not allowed for the parent token`,
        );
    }
    let expiresAt = parent.expiresAt;
    if (form.expires_in && Number(form.expires_in) > 0) {
      const wanted = store.now() + Number(form.expires_in) * 1000;
      if (wanted > parent.expiresAt)
        throw new OAuthError(
          400,
          'invalid_request',
          `Token expiration can't be after ${new Date(parent.expiresAt).toISOString()}`,
        );
      expiresAt = wanted;
    }
    // revoke_old is false unless sent as true (SPEC 3.9); it disables the token that owns the refresh token.
    if (form.revoke_old === 'true') {
      parent.disabled = true;
      parent.revokeReason = 'REFRESHED';
    }

    const t = this.issue(client, parent.orcid, asked.length ? asked : parent.scopes, expiresAt, null);
    return this.response(t);
  }

  private clientCredentials(client: Client, form: Form): Record<string, unknown> {
    const asked = parseScopeParam(form.scope);
    const unknown = asked.filter((s) => !KNOWN_SCOPES.has(s));
    if (unknown.length) throw new OAuthError(401, 'invalid_scope', `Invalid scope: ${unknown.join(' ')}`);
    // Non-client-credential scopes are dropped silently (SPEC 4).
    const granted = asked.filter((s) => CLIENT_CREDENTIAL_SCOPES.has(s) && clientMayUse(client, s));
    if (granted.length === 0) throw new OAuthError(400, 'invalid_scope', `Invalid scope: ${asked.join(' ')}`);
    const t = this.issue(client, null, granted, this.ctx.store.now() + LONG_LIFE_SECONDS * 1000, null);
    return this.response(t);
  }

  /** POST /oauth/revoke: access or refresh token; unknown or foreign tokens are ignored (200). */
  revoke(form: Form, authorization: string | undefined): void {
    const client = this.authenticateClient(form, authorization);
    if (!form.token) throw new OAuthError(400, 'invalid_request', 'Please provide the token to be param');
    const store = this.ctx.store;
    const accessId = store.tokens.has(form.token) ? form.token : store.refreshTokens.get(form.token);
    const t = accessId ? store.tokens.get(accessId) : undefined;
    if (!t || t.clientId !== client.clientId) return;
    t.disabled = true;
    t.revokeReason = 'CLIENT_REVOKED';
  }
}
