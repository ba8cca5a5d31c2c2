// Institutional sign-in with OpenID Connect: authorization code with PKCE, state and nonce
// (openid-client). The claims are mapped to person attributes by the tenant's settings.

import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import * as oidc from 'openid-client';
import type { PersonAttributes, SignInSettings } from '../domain/tenant.js';

type OidcSettings = NonNullable<SignInSettings['oidc']>;

/** What the browser's session keeps between the redirect and the callback. */
export interface PendingOidc {
  state: string;
  nonce: string;
  verifier: string;
}

const DEFAULT_CLAIMS: Record<keyof PersonAttributes, string> = {
  email: 'email',
  eppn: 'eduperson_principal_name',
  employeeId: 'employee_id',
  givenNames: 'given_name',
  familyName: 'family_name',
};

/** http issuers are allowed only on loopback (tests, demo). */
const isLoopback = (u: URL) =>
  u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

/** The provider named the person by an email it has not verified, and by nothing else. */
export class UnverifiedEmail extends Error {
  constructor() {
    super('the identity provider did not confirm the email address');
    this.name = 'UnverifiedEmail';
  }
}

// Some providers send the claim as a string.
const isVerified = (v: unknown) => v === true || v === 'true';

export class OidcSignIn {
  /** Discovered configurations, by provider, client and secret (a rotated secret makes a new one). */
  private readonly configs = new LRUCache<string, Promise<oidc.Configuration>>({ max: 1000 });

  private configuration(key: string, s: OidcSettings, secret: string | null): Promise<oidc.Configuration> {
    // The secret is part of the key: a rotated client secret is used at once, without a restart.
    const secretId = secret ? createHash('sha256').update(secret).digest('base64url') : '';
    const cacheKey = `${key}|${s.issuer}|${s.clientId}|${secretId}`;
    let c = this.configs.get(cacheKey);
    if (!c) {
      const issuer = new URL(s.issuer);
      c = oidc.discovery(
        issuer,
        s.clientId,
        secret ?? undefined,
        secret ? oidc.ClientSecretPost(secret) : oidc.None(),
        isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      c.catch(() => this.configs.delete(cacheKey));
      this.configs.set(cacheKey, c);
    }
    return c;
  }

  async start(
    key: string,
    s: OidcSettings,
    secret: string | null,
    redirectUri: string,
  ): Promise<{ url: string; pending: PendingOidc }> {
    const config = await this.configuration(key, s, secret);
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: s.scope,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Completes the flow from the callback URL; throws when anything does not check out. */
  async finish(
    key: string,
    s: OidcSettings,
    secret: string | null,
    callbackUrl: URL,
    pending: PendingOidc,
  ): Promise<PersonAttributes> {
    const config = await this.configuration(key, s, secret);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    let claims: Record<string, unknown> = { ...tokens.claims() };
    // Providers often keep profile claims for the userinfo endpoint.
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
      claims = { ...info, ...claims };
    } catch {
      // The id_token's claims are enough when there is no userinfo endpoint.
    }
    const map = { ...DEFAULT_CLAIMS, ...s.claims };
    const attributes: PersonAttributes = {};
    for (const [attr, claim] of Object.entries(map) as Array<[keyof PersonAttributes, string]>) {
      const v = claims[claim];
      if (typeof v === 'string' && v.trim()) attributes[attr] = v.trim();
      else if (typeof v === 'number') attributes[attr] = String(v);
    }
    // An email the provider does not vouch for is nobody's identity (nor where invitations go).
    if (attributes.email && map.email === 'email' && !isVerified(claims.email_verified)) {
      delete attributes.email;
      if (!attributes.employeeId && !attributes.eppn) throw new UnverifiedEmail();
    }
    return attributes;
  }
}
