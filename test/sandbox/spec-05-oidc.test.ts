// SPEC 5 (OpenID Connect), checked with an independent client: openid-client completes the
// authorization-code flow through the simulator's pages and verifies the id_token.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  control,
  newClient,
  newResearcher,
  REDIRECT,
  signIn,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };
let researcher: { orcid: string; email: string; password: string };
let config: oidc.Configuration;
let implicitConfig: oidc.Configuration;

beforeAll(async () => {
  sb = await startTestSandbox();
  client = await newClient(sb.base);
  researcher = await newResearcher(sb.base, { givenNames: 'Ines', familyNames: 'Moreau' });
  config = await oidc.discovery(
    new URL(sb.base),
    client.clientId,
    client.clientSecret,
    oidc.ClientSecretPost(client.clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  implicitConfig = await oidc.discovery(new URL(sb.base), client.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests, oidc.useIdTokenResponseType],
  });
});
afterAll(() => sb.close());

/** Plays the browser: sign in, open the authorize URL, press Authorize; returns the final redirect. */
async function browserApprove(authorizeUrl: URL): Promise<string> {
  const cookie = await signIn(sb.base, researcher.email, researcher.password);
  const page = await fetch(authorizeUrl, { headers: { cookie }, redirect: 'manual' });
  if (page.status === 302) return page.headers.get('location')!;
  const html = await page.text();
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1]!,
      decodeEntities(m[2]!),
    ]),
  );
  const approve = await fetch(`${sb.base}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ ...fields, decision: 'approve' }).toString(),
    redirect: 'manual',
  });
  expect(approve.status).toBe(302);
  return approve.headers.get('location')!;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

describe('SPEC 5.1: discovery', () => {
  it("serves ORCID's discovery document with this simulator as issuer, fields in ORCID's order", async () => {
    const res = await fetch(`${sb.base}/.well-known/openid-configuration`);
    const text = await res.text();
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(doc)[0]).toBe('token_endpoint_auth_signing_alg_values_supported');
    expect(Object.keys(doc).at(-1)).toBe('issuer');
    expect(doc.issuer).toBe(sb.base);
    expect(doc.token_endpoint).toBe(`${sb.base}/oauth/token`);
    expect(doc.response_types_supported).toEqual(['code', 'id_token', 'id_token token']);
    expect(text).toContain('" : ');
  });

  it('SPEC 5.2: JWKS holds one RS256 key without an alg member', async () => {
    const jwks = (await (await fetch(`${sb.base}/oauth/jwks`)).json()) as {
      keys: Array<Record<string, string>>;
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', e: 'AQAB', use: 'sig' });
    expect(jwks.keys[0]!.alg).toBeUndefined();
  });
});

describe('SPEC 5.3: authorization-code flow with openid-client', () => {
  it('completes the flow and verifies the id_token (signature, iss, aud, nonce, at_hash)', async () => {
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state, nonce });
    const location = await browserApprove(url);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(location), {
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(researcher.orcid);
    expect(claims.iss).toBe(sb.base);
    expect(claims.aud).toBe(client.clientId);
    expect(claims.nonce).toBe(nonce);
    expect(claims.given_name).toBe('Ines');
    expect(claims.family_name).toBe('Moreau');
    expect(claims.amr).toBe('pwd');
    expect((tokens as unknown as { orcid: string }).orcid).toBe(researcher.orcid);
    expect(Object.keys(tokens).at(-1)).toBe('id_token');

    const info = await oidc.fetchUserInfo(config, tokens.access_token, researcher.orcid);
    expect(info).toEqual({
      id: `${sb.base}/${researcher.orcid}`,
      sub: researcher.orcid,
      name: null,
      family_name: 'Moreau',
      given_name: 'Ines',
    });
  });

  it('an id_token signed by another key is refused by the client', async () => {
    // Same issuer URL and client id, different signing key: only the signature can give it away.
    const other = await startTestSandbox({ publicUrl: sb.base });
    try {
      const c = await control<{ clientId: string }>(other.base, 'POST', '/clients', {
        name: 'Impostor',
        type: 'member',
        redirectUris: [REDIRECT],
        clientId: client.clientId,
      });
      const { orcid } = await newResearcher(other.base);
      const nonce = 'n-1';
      const { location } = await control<{ location: string }>(other.base, 'POST', '/authorize', {
        orcid,
        clientId: c.clientId,
        scope: 'openid',
        redirectUri: REDIRECT,
        responseType: 'id_token',
        nonce,
      });
      const foreignIdToken = new URLSearchParams(new URL(location).hash.slice(1)).get('id_token')!;
      const header = JSON.parse(Buffer.from(foreignIdToken.split('.')[0]!, 'base64url').toString()) as {
        kid: string;
      };
      const jwks = (await (await fetch(`${sb.base}/oauth/jwks`)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid)).not.toContain(header.kid);
      await expect(
        oidc.implicitAuthentication(implicitConfig, new URL(`${REDIRECT}#id_token=${foreignIdToken}`), nonce),
      ).rejects.toThrow(/key|signature|JWS|JWK/i);
    } finally {
      await other.close();
    }
  });
});

describe('SPEC 5 implicit id_token flow and userinfo errors', () => {
  it('response_type=id_token returns a verifiable id_token in the fragment', async () => {
    const nonce = oidc.randomNonce();
    const { location } = await control<{ location: string }>(sb.base, 'POST', '/authorize', {
      orcid: researcher.orcid,
      clientId: client.clientId,
      scope: 'openid',
      redirectUri: REDIRECT,
      responseType: 'id_token',
      nonce,
      state: 'x',
    });
    const claims = await oidc.implicitAuthentication(implicitConfig, new URL(location), nonce, {
      expectedState: 'x',
    });
    expect(claims.sub).toBe(researcher.orcid);
  });

  it('implicit id_token without nonce is invalid_request', async () => {
    const { location } = await control<{ location: string }>(sb.base, 'POST', '/authorize', {
      orcid: researcher.orcid,
      clientId: client.clientId,
      scope: 'openid',
      redirectUri: REDIRECT,
      responseType: 'id_token',
    });
    expect(location).toBe(`${REDIRECT}#error=invalid_request`);
  });

  it("userinfo with a token lacking /authenticate is 403 access_denied with ORCID's hyphenated key", async () => {
    const res = await fetch(`${sb.base}/oauth/userinfo`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'access_denied',
      'error-description': 'access_token is invalid',
    });
  });
});
