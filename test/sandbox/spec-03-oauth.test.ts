// SPEC 3 (OAuth 2.0) and SPEC 4 (scopes): the simulator's authorize, token and revoke endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  clientCredentials,
  control,
  form,
  newClient,
  newResearcher,
  REDIRECT,
  signIn,
  startTestSandbox,
  type TestSandbox,
  threeLegged,
} from '../helpers/sandbox.js';

let sb: TestSandbox;
let client: { clientId: string; clientSecret: string };
let orcid: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  client = await newClient(sb.base);
  ({ orcid } = await newResearcher(sb.base, { givenNames: 'Sofia', familyNames: 'Garcia' }));
});
afterAll(() => sb.close());

const authorize = (over: Record<string, unknown> = {}) =>
  control<{ location: string }>(sb.base, 'POST', '/authorize', {
    orcid,
    clientId: client.clientId,
    scope: '/read-limited /activities/update',
    redirectUri: REDIRECT,
    state: 'st-1',
    ...over,
  });

const exchange = (code: string, over: Record<string, string> = {}) =>
  tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...over });

const codeOf = (location: string) => new URL(location).searchParams.get('code')!;

/** POST /oauth/token with a client's credentials in the form. */
const tokenRequest = (values: Record<string, string>, c = client) =>
  fetch(`${sb.base}/oauth/token`, form({ client_id: c.clientId, client_secret: c.clientSecret, ...values }));

describe('SPEC 3.4: redirects back to the client', () => {
  it('approval redirects with a 6-character code and the state', async () => {
    const { location } = await authorize();
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
    expect(url.searchParams.get('code')).toMatch(/^[0-9a-zA-Z]{6}$/);
    expect(url.searchParams.get('state')).toBe('st-1');
  });

  it('a redirect URI with a query keeps it and appends the code with &', async () => {
    const { location } = await authorize({ redirectUri: `${REDIRECT}?tenant=a` });
    expect(location).toMatch(/\?tenant=a&code=[0-9a-zA-Z]{6}&state=st-1$/);
  });

  it('deny redirects with access_denied, the description and the state', async () => {
    const { location } = await authorize({ deny: true });
    const url = new URL(location);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('error_description')).toBe('User denied access');
    expect(url.searchParams.get('state')).toBe('st-1');
  });

  it('a client-credentials scope or an unknown scope at authorize redirects with #error=invalid_scope', async () => {
    for (const scope of ['/read-public', '/webhook', '/not-a-scope']) {
      const { location } = await authorize({ scope });
      expect(location).toBe(`${REDIRECT}#error=invalid_scope`);
    }
  });

  it('a public client asking for /read-limited gets invalid_scope', async () => {
    const pub = await newClient(sb.base, { type: 'public' });
    const { location } = await authorize({ clientId: pub.clientId, scope: '/read-limited' });
    expect(location).toBe(`${REDIRECT}#error=invalid_scope`);
  });

  it('an unsupported response_type redirects with #error=unsupported_response_type', async () => {
    const { location } = await authorize({ responseType: 'banana' });
    expect(location).toBe(`${REDIRECT}#error=unsupported_response_type`);
  });

  it('OIDC scopes profile and email are ignored, not refused', async () => {
    const { location } = await authorize({ scope: 'openid profile email' });
    expect(new URL(location).searchParams.get('code')).toMatch(/^[0-9a-zA-Z]{6}$/);
  });
});

describe('SPEC 3.5: redirect URI matching', () => {
  it('accepts any path below the registered one and refuses other hosts, ports, schemes and paths', async () => {
    await expect(
      authorize({ redirectUri: 'https://client.example.org/orcid/deeper/path' }),
    ).resolves.toBeTruthy();
    for (const bad of [
      'https://evil.example.org/orcid/callback',
      'https://client.example.org:8443/orcid/callback',
      'http://client.example.org/orcid/callback',
      'https://client.example.org/other',
      'https://sub.client.example.org/orcid',
    ]) {
      await expect(authorize({ redirectUri: bad })).rejects.toThrow(/Redirect URI doesn't match/);
    }
  });

  it('an unknown client is an error page, never a redirect', async () => {
    const res = await fetch(
      `${sb.base}/oauth/authorize?client_id=APP-0000000000000000&response_type=code&scope=/authenticate&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('client_id');
  });
});

describe('SPEC 3.6, 3.7: code exchange and the token response', () => {
  it('returns the token response with ORCID key order, bearer type and ~20-year expiry', async () => {
    const { location } = await authorize();
    const res = await exchange(codeOf(location));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'access_token',
      'token_type',
      'refresh_token',
      'expires_in',
      'scope',
      'name',
      'orcid',
    ]);
    expect(body.access_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBeGreaterThan(631138000);
    expect(String(body.scope).split(' ').sort()).toEqual(['/activities/update', '/read-limited']);
    expect(body.name).toBe('Sofia Garcia');
    expect(body.orcid).toBe(orcid);
  });

  it('a code is single use: reuse answers invalid_grant and disables the tokens it issued', async () => {
    const { location } = await authorize();
    const code = codeOf(location);
    const first = (await (await exchange(code)).json()) as { access_token: string };
    const before = await call(`${sb.api}/v3.0/${orcid}/works`, { token: first.access_token });
    expect(before.status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error: 'invalid_grant',
      error_description: `Reused authorization code: ${code}`,
    });
    const after = await call(`${sb.api}/v3.0/${orcid}/works`, { token: first.access_token });
    expect(after.status).toBe(401);
    expect(after.json.error).toBe('invalid_token');
  });

  it('refuses an unknown code, a missing code and a redirect_uri that differs from the authorize one', async () => {
    const unknown = await exchange('zzzzzz');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid authorization code: zzzzzz',
    });
    const missing = await exchange('', {});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_request');
    const { location } = await authorize();
    const mismatch = await exchange(codeOf(location), {
      redirect_uri: 'https://client.example.org/orcid/other',
    });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Redirect URI mismatch.',
    });
  });

  it('accepts an exchange without redirect_uri, as the legacy server did', async () => {
    const { location } = await authorize();
    const res = await tokenRequest({ grant_type: 'authorization_code', code: codeOf(location) });
    expect(res.status).toBe(200);
  });

  it('codes expire (10 minutes by default)', async () => {
    const { location } = await authorize();
    await control(sb.base, 'POST', '/clock', { advanceSeconds: 601 });
    try {
      const res = await exchange(codeOf(location));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'Authorization code has expired',
      });
    } finally {
      await control(sb.base, 'POST', '/clock', { advanceSeconds: -601 });
    }
  });

  it('a code of another client is refused', async () => {
    const other = await newClient(sb.base);
    const { location } = await authorize();
    const res = await tokenRequest({ grant_type: 'authorization_code', code: codeOf(location) }, other);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('answers on the registry, member API and public API hosts alike, with Basic client authentication too', async () => {
    for (const prefix of ['', '/api', '/pub']) {
      const { location } = await authorize();
      const res = await fetch(`${sb.base}${prefix}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: codeOf(location),
          redirect_uri: REDIRECT,
        }).toString(),
      });
      expect(res.status, `${prefix}/oauth/token`).toBe(200);
    }
  });
});

describe('SPEC 3.10: token endpoint errors', () => {
  it('bad client credentials: 401 invalid_client with the new server key order', async () => {
    const res = await fetch(
      `${sb.base}/oauth/token`,
      form({
        client_id: client.clientId,
        client_secret: 'wrong',
        grant_type: 'client_credentials',
        scope: '/read-public',
      }),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      '{"error_description":"Client authentication failed","error":"invalid_client"}',
    );
  });

  it('a secret reset by the member is refused with invalid_client; the new one is accepted', async () => {
    const own = await newClient(sb.base);
    const exchange = (secret: string) =>
      fetch(
        `${sb.base}/oauth/token`,
        form({
          client_id: own.clientId,
          client_secret: secret,
          grant_type: 'client_credentials',
          scope: '/read-public',
        }),
      );
    const reset = await control<{ clientSecret: string }>(sb.base, 'POST', `/clients/${own.clientId}/secret`);
    expect(reset.clientSecret).not.toBe(own.clientSecret);
    const old = await exchange(own.clientSecret);
    expect(old.status).toBe(401);
    expect(((await old.json()) as { error: string }).error).toBe('invalid_client');
    expect((await exchange(reset.clientSecret)).status).toBe(200);
  });

  it('missing grant_type: 400 unsupported_grant_type', async () => {
    const res = await fetch(
      `${sb.base}/oauth/token`,
      form({ client_id: client.clientId, client_secret: client.clientSecret }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'grant_type is missing',
    });
  });

  it('a JSON body or a GET is 415', async () => {
    const json = await fetch(`${sb.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(415);
    expect((await fetch(`${sb.base}/oauth/token`)).status).toBe(415);
  });
});

describe('SPEC 3.9: refresh tokens', () => {
  it('issues a new token pair; revoke_old=false keeps the old access token working', async () => {
    const t = await threeLegged(sb.base, client, orcid);
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: t.refresh_token,
      revoke_old: 'false',
    });
    const body = (await res.json()) as {
      access_token: string;
      refresh_token: string;
      scope: string;
      orcid: string;
    };
    expect(res.status).toBe(200);
    expect(body.access_token).not.toBe(t.access_token);
    expect(body.refresh_token).not.toBe(t.refresh_token);
    expect(body.orcid).toBe(orcid);
    expect((await call(`${sb.api}/v3.0/${orcid}/works`, { token: t.access_token })).status).toBe(200);
    expect((await call(`${sb.api}/v3.0/${orcid}/works`, { token: body.access_token })).status).toBe(200);
  });

  it('narrows scopes, shortens expiry, and revoke_old=true disables the parent', async () => {
    const t = await threeLegged(sb.base, client, orcid);
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: t.refresh_token,
      scope: '/activities/update',
      expires_in: '3600',
      revoke_old: 'true',
    });
    const body = (await res.json()) as { access_token: string; scope: string; expires_in: number };
    expect(body.scope).toBe('/activities/update');
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    expect((await call(`${sb.api}/v3.0/${orcid}/works`, { token: t.access_token })).status).toBe(401);
  });

  it('refuses wider scopes, a longer expiry, a foreign client and a disabled parent', async () => {
    const t = await threeLegged(sb.base, client, orcid, '/activities/update');
    const refresh = (values: Record<string, string>, c = client) =>
      fetch(
        `${sb.base}/oauth/token`,
        form({
          client_id: c.clientId,
          client_secret: c.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: t.refresh_token,
          ...values,
        }),
      ).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error: string; error_description: string },
      }));
    const wider = await refresh({ scope: '/read-limited' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
    const longer = await refresh({ expires_in: String(700000000) });
    expect(longer.status).toBe(400);
    const other = await newClient(sb.base);
    const foreign = await refresh({}, other);
    expect(foreign.body.error_description).toBe('This token does not belong to the given client');
    await control(sb.base, 'POST', `/researchers/${orcid}/revoke`, { clientId: client.clientId });
    const disabled = await refresh({});
    expect(disabled.body.error_description).toBe('Parent token is disabled');
  });
});

describe('SPEC 3.7, 4: client credentials', () => {
  it('/read-public: the response has orcid null and no name', async () => {
    const t = await clientCredentials(sb.base, client, '/read-public');
    expect(Object.keys(t)).toEqual([
      'access_token',
      'token_type',
      'refresh_token',
      'expires_in',
      'scope',
      'orcid',
    ]);
    expect(t.orcid).toBeNull();
    expect(t.scope).toBe('/read-public');
  });

  it('drops three-legged scopes silently; unknown scopes are 401; nothing usable left is 400', async () => {
    const t = await clientCredentials(sb.base, client, '/read-public /activities/update');
    expect(t.scope).toBe('/read-public');
    const unknown = await tokenRequest({ grant_type: 'client_credentials', scope: '/web-hook' });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: string }).error).toBe('invalid_scope');
    const pub = await newClient(sb.base, { type: 'public' });
    const none = await tokenRequest({ grant_type: 'client_credentials', scope: '/webhook' }, pub);
    expect(none.status).toBe(400);
  });

  it('/webhook needs a premium member; /group-id-record/update is for members', async () => {
    const basic = await newClient(sb.base, { premium: false });
    const r = await tokenRequest({ grant_type: 'client_credentials', scope: '/webhook' }, basic);
    expect(r.status).toBe(400);
    expect((await clientCredentials(sb.base, basic, '/group-id-record/update')).scope).toBe(
      '/group-id-record/update',
    );
  });
});

describe('SPEC 3.11: revocation', () => {
  it('revoking an access token disables it; unknown tokens still answer 200', async () => {
    const t = await threeLegged(sb.base, client, orcid, '/read-limited');
    const res = await fetch(
      `${sb.base}/oauth/revoke`,
      form({ client_id: client.clientId, client_secret: client.clientSecret, token: t.access_token }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await call(`${sb.api}/v3.0/${orcid}/record`, { token: t.access_token })).status).toBe(401);
    const unknown = await fetch(
      `${sb.base}/oauth/revoke`,
      form({ client_id: client.clientId, client_secret: client.clientSecret, token: 'not-a-token' }),
    );
    expect(unknown.status).toBe(200);
  });

  it('revoking by refresh token disables the access token too; another client cannot revoke it', async () => {
    const t = await threeLegged(sb.base, client, orcid, '/read-limited');
    const other = await newClient(sb.base);
    await fetch(
      `${sb.base}/oauth/revoke`,
      form({ client_id: other.clientId, client_secret: other.clientSecret, token: t.access_token }),
    );
    expect((await call(`${sb.api}/v3.0/${orcid}/record`, { token: t.access_token })).status).toBe(200);
    await fetch(
      `${sb.base}/oauth/revoke`,
      form({ client_id: client.clientId, client_secret: client.clientSecret, token: t.refresh_token }),
    );
    expect((await call(`${sb.api}/v3.0/${orcid}/record`, { token: t.access_token })).status).toBe(401);
  });
});

describe('SPEC 3.3: auto-approval', () => {
  it('a signed-in researcher holding a long-life token with exactly the same scopes skips consent', async () => {
    const c = await newClient(sb.base);
    const r = await newResearcher(sb.base);
    await threeLegged(sb.base, c, r.orcid, '/read-limited');
    const jar = await signIn(sb.base, r.email, r.password);
    const q = new URLSearchParams({
      client_id: c.clientId,
      response_type: 'code',
      scope: '/read-limited',
      redirect_uri: REDIRECT,
      state: 'a',
    });
    const same = await fetch(`${sb.base}/oauth/authorize?${q}`, {
      headers: { cookie: jar },
      redirect: 'manual',
    });
    expect(same.status).toBe(302);
    expect(same.headers.get('location')).toMatch(/^https:\/\/client\.example\.org\/orcid\/callback\?code=/);
    q.set('scope', '/read-limited /activities/update');
    const wider = await fetch(`${sb.base}/oauth/authorize?${q}`, {
      headers: { cookie: jar },
      redirect: 'manual',
    });
    expect(wider.status).toBe(200);
    expect(await wider.text()).toContain('Authorize access');
    q.set('scope', '/read-limited');
    q.set('prompt', 'confirm');
    const confirm = await fetch(`${sb.base}/oauth/authorize?${q}`, {
      headers: { cookie: jar },
      redirect: 'manual',
    });
    expect(confirm.status).toBe(200);
  });

  it('prompt=none: login_required when signed out', async () => {
    const q = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      prompt: 'none',
    });
    const res = await fetch(`${sb.base}/oauth/authorize?${q}`, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe(`${REDIRECT}#error=login_required`);
  });
});
