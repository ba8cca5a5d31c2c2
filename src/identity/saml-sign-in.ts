// Institutional sign-in with SAML 2.0 (@node-saml/node-saml): AuthnRequest by HTTP-Redirect,
// response by HTTP-POST to our ACS. Assertions must be signed by the tenant's IdP certificate,
// addressed to us (audience, recipient), fresh, and answer a request we sent (InResponseTo,
// single use through the shared request store).
import { randomBytes } from 'node:crypto';
import { type CacheProvider, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { SAML_REQUEST_TTL_MS } from '../db/saml-request.store.js';
import type { PersonAttributes, SignInSettings } from '../domain/tenant.js';

type SamlSettings = NonNullable<SignInSettings['saml']>;

/** Friendly names and OIDs (eduPerson / inetOrgPerson) tried for each attribute. */
const DEFAULT_ATTRIBUTES: Record<keyof PersonAttributes, string[]> = {
  email: ['mail', 'email', 'urn:oid:0.9.2342.19200300.100.1.3'],
  eppn: ['eduPersonPrincipalName', 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6'],
  employeeId: ['employeeNumber', 'urn:oid:2.16.840.1.113730.3.1.3'],
  givenNames: ['givenName', 'urn:oid:2.5.4.42'],
  familyName: ['sn', 'surname', 'urn:oid:2.5.4.4'],
};

/** A validated answer waiting for the browser that started the sign-in (see the ACS route). */
export interface SamlResult {
  tenantId: string;
  relayState: string;
  attributes: PersonAttributes;
  at: number;
}

/** How long a validated answer waits for its browser's redirect. */
const RESULT_TTL_MS = 2 * 60_000;

export class SamlSignIn {
  constructor(private readonly requests: CacheProvider) {}

  /** Keeps a validated answer under a new single-use ticket. */
  async hold(result: Omit<SamlResult, 'at'>): Promise<string> {
    const ticket = randomBytes(32).toString('base64url');
    await this.requests.saveAsync(`result:${ticket}`, JSON.stringify({ ...result, at: Date.now() }));
    return ticket;
  }

  /** The answer held under the ticket, once; null when unknown, used or stale. */
  async take(ticket: string): Promise<SamlResult | null> {
    const value = await this.requests.removeAsync(`result:${ticket}`);
    if (!value) return null;
    const result = JSON.parse(value) as SamlResult;
    return Date.now() - result.at < RESULT_TTL_MS ? result : null;
  }

  private saml(s: SamlSettings, acsUrl: string): SAML {
    return new SAML({
      entryPoint: s.entryPoint,
      issuer: s.issuer,
      callbackUrl: acsUrl,
      idpCert: s.idpCert,
      audience: s.issuer,
      wantAssertionsSigned: true,
      // Many IdPs sign only the assertion; that signature is required above.
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
      cacheProvider: this.requests,
      acceptedClockSkewMs: 60_000,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }

  /** The IdP's URL carrying our AuthnRequest; the IdP sends `relayState` back with its answer. */
  start(s: SamlSettings, acsUrl: string, relayState: string): Promise<string> {
    return this.saml(s, acsUrl).getAuthorizeUrlAsync(relayState, undefined, {});
  }

  /** Validates the posted response; throws with the reason when anything is off. */
  async finish(s: SamlSettings, acsUrl: string, body: Record<string, string>): Promise<PersonAttributes> {
    const { profile } = await this.saml(s, acsUrl).validatePostResponseAsync(body);
    if (!profile) throw new Error('the identity provider sent no assertion');
    const values = profile as unknown as Record<string, unknown>;
    const attributes: PersonAttributes = {};
    for (const attr of Object.keys(DEFAULT_ATTRIBUTES) as Array<keyof PersonAttributes>) {
      const names = s.attributes?.[attr] ? [s.attributes[attr]] : DEFAULT_ATTRIBUTES[attr];
      for (const name of names) {
        const v = values[name];
        const first = Array.isArray(v) ? v[0] : v;
        if (typeof first === 'string' && first.trim()) {
          attributes[attr] = first.trim();
          break;
        }
      }
    }
    return attributes;
  }
}
