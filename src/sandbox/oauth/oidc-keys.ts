// The RS256 signing key of the simulator's OpenID provider (generated at start) and id_tokens.

import {
  createHash,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import type { Client, Researcher } from '../store/types.js';

export interface IdTokenInput {
  client: Pick<Client, 'clientId' | 'type'>;
  researcher: Pick<Researcher, 'orcid' | 'givenNames' | 'familyNames' | 'creditName' | 'namesVisibility'>;
  issuer: string;
  accessToken: string | null;
  authTimeMs: number;
  nonce: string | null;
  nowMs: number;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class OidcKeys {
  readonly kid = `sandbox-orcid-org-${randomBytes(16).toString('hex')}`;
  private readonly privateKey: KeyObject;
  private readonly jwk: Record<string, string>;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    // ORCID's JWKS has no "alg" member (SPEC 5.2).
    this.jwk = { kty: 'RSA', e: jwk.e, use: 'sig', kid: this.kid, n: jwk.n };
  }

  jwks(): { keys: Array<Record<string, string>> } {
    return { keys: [this.jwk] };
  }

  /**
   * An id_token with ORCID's claims (SPEC 5.3), valid 24 hours: names only when public, `amr`
   * only for member clients.
   */
  idToken(c: IdTokenInput): string {
    const r = c.researcher;
    const publicNames = r.namesVisibility === 'public';
    const now = Math.floor(c.nowMs / 1000);
    const payload: Record<string, unknown> = {};
    if (c.accessToken)
      payload.at_hash = b64url(createHash('sha256').update(c.accessToken).digest().subarray(0, 16));
    payload.aud = c.client.clientId;
    payload.sub = r.orcid;
    payload.auth_time = Math.floor(c.authTimeMs / 1000);
    if (c.client.type === 'member') payload.amr = 'pwd';
    payload.iss = c.issuer;
    if (publicNames) {
      payload.given_name = r.givenNames;
      payload.family_name = r.familyNames;
      if (r.creditName) payload.name = r.creditName;
    }
    payload.exp = now + 24 * 3600;
    payload.iat = now;
    if (c.nonce) payload.nonce = c.nonce;
    payload.jti = randomUUID();
    const header = b64url(JSON.stringify({ kid: this.kid, alg: 'RS256' }));
    const body = b64url(JSON.stringify(payload));
    const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(this.privateKey);
    return `${header}.${body}.${b64url(signature)}`;
  }
}
