// ORCID OAuth from the client's side (SPEC 3, 5): the authorize URL with every parameter, code
// exchange returning the full token response, refresh, client credentials, revocation, and
// id_token verification against the environment's OIDC discovery and JWKS.
import { createHash, createPublicKey, createVerify, type JsonWebKey } from 'node:crypto';
import type { OrcidEnvironment } from './environments.js';
import { OrcidError } from './errors.js';
import type { OrcidHttpRequest, OrcidHttpResponse, OrcidTransport } from './transport.js';

export interface OrcidClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The token response as ORCID sends it; stored whole (sealed) by the platform. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
  name?: string | null;
  orcid: string | null;
  id_token?: string;
  [key: string]: unknown;
}

export interface AuthorizeParams {
  scope: string;
  redirectUri: string;
  state: string;
  responseType?: 'code' | 'token' | 'id_token' | 'id_token token';
  nonce?: string;
  prompt?: 'login' | 'none' | 'confirm';
  maxAge?: number;
  email?: string;
  orcid?: string;
  givenNames?: string;
  familyNames?: string;
  lang?: string;
  /** false sends the researcher to registration first. */
  showLogin?: boolean;
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  at_hash?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  amr?: string;
}

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

const b64urlJson = <T>(part: string): T => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;

export interface OAuthContext {
  tenantId?: string | null;
  /**
   * Told what ORCID made of the client's id and secret whenever it answered at the token or
   * revocation endpoint: accepted, or refused (invalid_client).
   */
  onClientAnswer?: (accepted: boolean) => Promise<void>;
}

export class OrcidOAuth {
  private discovery: Promise<Discovery> | null = null;
  private jwks: Promise<Map<string, JsonWebKey>> | null = null;

  constructor(
    private readonly env: OrcidEnvironment,
    private readonly client: OrcidClientCredentials,
    private readonly transport: OrcidTransport,
    private readonly context: OAuthContext = {},
  ) {}

  authorizeUrl(p: AuthorizeParams): string {
    const q = new URLSearchParams({
      client_id: this.client.clientId,
      response_type: p.responseType ?? 'code',
      scope: p.scope,
      redirect_uri: p.redirectUri,
      state: p.state,
    });
    if (p.nonce) q.set('nonce', p.nonce);
    if (p.prompt) q.set('prompt', p.prompt);
    if (p.maxAge !== undefined) q.set('max_age', String(p.maxAge));
    if (p.email) q.set('email', p.email);
    if (p.orcid) q.set('orcid', p.orcid);
    if (p.givenNames) q.set('given_names', p.givenNames);
    if (p.familyNames) q.set('family_names', p.familyNames);
    if (p.lang) q.set('lang', p.lang);
    if (p.showLogin === false) q.set('show_login', 'false');
    // ORCID documents %20 between scopes; URLSearchParams writes +, which ORCID also reads.
    return `${this.env.registry}/oauth/authorize?${q.toString().replace(/\+/g, '%20')}`;
  }

  /** `retrySafe`: sending it twice does no harm (not a code exchange, which ORCID allows once). */
  private async tokenRequest(
    form: Record<string, string>,
    orcid: string | null = null,
    retrySafe = false,
  ): Promise<TokenResponse> {
    const res = await this.clientAuthenticated({
      method: 'POST',
      url: `${this.env.registry}/oauth/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: this.client.clientId,
        client_secret: this.client.clientSecret,
        ...form,
      }).toString(),
      tokenEndpoint: true,
      retrySafe,
      tenantId: this.context.tenantId ?? null,
      orcid,
      clientId: this.client.clientId,
    });
    const body = JSON.parse(res.body) as TokenResponse;
    if (typeof body.access_token !== 'string')
      throw new OrcidError('ORCID token response without access_token', {
        kind: 'oauth',
        status: res.status,
      });
    return body;
  }

  /** Exchanges an authorization code; the whole response (name, orcid, id_token) comes back. */
  exchangeCode(code: string, redirectUri: string): Promise<TokenResponse> {
    return this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  refresh(
    refreshToken: string,
    options: { scope?: string; revokeOld?: boolean; expiresIn?: number } = {},
  ): Promise<TokenResponse> {
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
    if (options.scope) form.scope = options.scope;
    if (options.revokeOld !== undefined) form.revoke_old = String(options.revokeOld);
    if (options.expiresIn !== undefined) form.expires_in = String(options.expiresIn);
    return this.tokenRequest(form, null, true);
  }

  /** Two-legged tokens: /read-public, /webhook, /group-id-record/read|update. */
  clientCredentials(scope: string): Promise<TokenResponse> {
    return this.tokenRequest({ grant_type: 'client_credentials', scope }, null, true);
  }

  async revoke(token: string): Promise<void> {
    await this.clientAuthenticated({
      method: 'POST',
      url: `${this.env.registry}/oauth/revoke`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.client.clientId,
        client_secret: this.client.clientSecret,
        token,
      }).toString(),
      tokenEndpoint: true,
      retrySafe: true,
      tenantId: this.context.tenantId ?? null,
      clientId: this.client.clientId,
    });
  }

  /** A request that authenticates the client: its outcome tells whether ORCID accepts it. */
  private async clientAuthenticated(request: OrcidHttpRequest): Promise<OrcidHttpResponse> {
    let res: OrcidHttpResponse;
    try {
      res = await this.transport.send(request);
    } catch (e) {
      if (e instanceof OrcidError && e.details.oauthError === 'invalid_client')
        await this.context.onClientAnswer?.(false);
      throw e;
    }
    await this.context.onClientAnswer?.(true);
    return res;
  }

  private async getJson<T>(url: string): Promise<T> {
    const res = await this.transport.send({ method: 'GET', url, headers: { accept: 'application/json' } });
    return JSON.parse(res.body) as T;
  }

  private keys(refresh = false): Promise<Map<string, JsonWebKey>> {
    if (refresh || !this.jwks) {
      this.discovery ??= this.getJson<Discovery>(`${this.env.registry}/.well-known/openid-configuration`);
      this.jwks = this.discovery.then(async (d) => {
        const set = await this.getJson<{ keys: Array<JsonWebKey & { kid: string }> }>(d.jwks_uri);
        return new Map(set.keys.map((k) => [k.kid, k]));
      });
      this.jwks.catch(() => {
        this.jwks = null;
        this.discovery = null;
      });
    }
    return this.jwks;
  }

  /**
   * Verifies an id_token: RS256 signature by a key of the environment's JWKS (re-read once when
   * the key id is unknown, for key rollover), issuer, audience, expiry, nonce and at_hash.
   */
  async verifyIdToken(
    idToken: string,
    expect: { nonce?: string; accessToken?: string; now?: number } = {},
  ): Promise<IdTokenClaims> {
    const fail = (why: string) => new OrcidError(`id_token rejected: ${why}`, { kind: 'oauth' });
    const parts = idToken.split('.');
    if (parts.length !== 3) throw fail('not a JWT');
    const header = b64urlJson<{ alg: string; kid?: string }>(parts[0]!);
    if (header.alg !== 'RS256') throw fail(`algorithm ${header.alg} (only RS256 is accepted)`);
    let jwk = (await this.keys()).get(header.kid ?? '');
    if (!jwk) jwk = (await this.keys(true)).get(header.kid ?? '');
    if (!jwk) throw fail(`unknown key id ${header.kid}`);
    const valid = createVerify('RSA-SHA256')
      .update(`${parts[0]}.${parts[1]}`)
      .verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(parts[2]!, 'base64url'));
    if (!valid) throw fail('bad signature');
    const claims = b64urlJson<IdTokenClaims>(parts[1]!);
    const issuer = (await this.discovery!).issuer;
    const now = Math.floor((expect.now ?? Date.now()) / 1000);
    if (claims.iss !== issuer) throw fail(`issuer ${claims.iss}, expected ${issuer}`);
    if (claims.aud !== this.client.clientId) throw fail(`audience ${claims.aud}`);
    if (typeof claims.exp !== 'number' || claims.exp < now - 60) throw fail('expired');
    if (expect.nonce !== undefined && claims.nonce !== expect.nonce) throw fail('nonce does not match');
    if (expect.accessToken && claims.at_hash) {
      const hash = createHash('sha256')
        .update(expect.accessToken)
        .digest()
        .subarray(0, 16)
        .toString('base64url');
      if (hash !== claims.at_hash) throw fail('at_hash does not match the access token');
    }
    return claims;
  }
}
