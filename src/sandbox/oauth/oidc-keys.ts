// The RS256 signing key of the simulator's OpenID provider (generated at start) and id_tokens.
import {
  createHash,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';

export interface IdTokenClaims {
  aud: string;
  sub: string;
  iss: string;
  accessToken: string | null;
  authTime: number;
  nonce: string | null;
  amr: 'pwd' | null;
  givenName: string | null;
  familyName: string | null;
  name: string | null;
  nowSeconds: number;
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

  /** An id_token with ORCID's claims (SPEC 5.3), valid 24 hours. */
  idToken(c: IdTokenClaims): string {
    const payload: Record<string, unknown> = {};
    if (c.accessToken)
      payload.at_hash = b64url(createHash('sha256').update(c.accessToken).digest().subarray(0, 16));
    payload.aud = c.aud;
    payload.sub = c.sub;
    payload.auth_time = c.authTime;
    if (c.amr) payload.amr = c.amr;
    payload.iss = c.iss;
    if (c.givenName !== null) payload.given_name = c.givenName;
    if (c.familyName !== null) payload.family_name = c.familyName;
    if (c.name !== null) payload.name = c.name;
    payload.exp = c.nowSeconds + 24 * 3600;
    payload.iat = c.nowSeconds;
    if (c.nonce) payload.nonce = c.nonce;
    payload.jti = randomUUID();
    const header = b64url(JSON.stringify({ kid: this.kid, alg: 'RS256' }));
    const body = b64url(JSON.stringify(payload));
    const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(this.privateKey);
    return `${header}.${body}.${b64url(signature)}`;
  }
}
