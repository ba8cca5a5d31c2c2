// Starts a real simulator on a free loopback port and offers the steps most tests share:
// registering clients and researchers, running OAuth through the control API, calling the API.

import type { SandboxOptions } from '../../src/sandbox/context.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

export interface TestSandbox {
  sandbox: Sandbox;
  base: string;
  api: string;
  pub: string;
  close(): Promise<void>;
}

export async function startTestSandbox(options: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const sandbox = await createSandbox({
    control: true,
    webhookIntervalMs: 50,
    webhookRetryDelayMs: 50,
    webhookTimeoutMs: 2000,
    ...options,
    rateLimit: { memberPerSecond: 24, publicPerSecond: 12, burst: 40, enabled: false, ...options.rateLimit },
  });
  const base = await sandbox.listen(0);
  return { sandbox, base, api: `${base}/api`, pub: `${base}/pub`, close: () => sandbox.close() };
}

export async function control<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const REDIRECT = 'https://client.example.org/orcid/callback';

export async function newClient(
  base: string,
  over: Partial<{ type: 'member' | 'public'; premium: boolean; name: string; redirectUris: string[] }> = {},
): Promise<{ clientId: string; clientSecret: string }> {
  return control(base, 'POST', '/clients', {
    name: over.name ?? 'Test University',
    description: 'A test integration',
    type: over.type ?? 'member',
    premium: over.premium ?? true,
    redirectUris: over.redirectUris ?? ['https://client.example.org/orcid'],
  });
}

let counter = 0;
export async function newResearcher(
  base: string,
  over: Partial<{ givenNames: string; familyNames: string; email: string; password: string }> = {},
): Promise<{ orcid: string; email: string; password: string }> {
  counter++;
  const email = over.email ?? `researcher${counter}-${Date.now()}@example.org`;
  const password = over.password ?? 'correct horse battery';
  const { orcid } = await control<{ orcid: string }>(base, 'POST', '/researchers', {
    email,
    password,
    givenNames: over.givenNames ?? 'Josiah',
    familyNames: over.familyNames ?? `Carberry${counter}`,
  });
  return { orcid, email, password };
}

export function form(values: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(values).toString(),
  };
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  name?: string | null;
  orcid: string | null;
  id_token?: string;
}

/** Runs authorize (headless, through the control API) and the code exchange. */
export async function threeLegged(
  base: string,
  client: { clientId: string; clientSecret: string },
  orcid: string,
  scope = '/read-limited /activities/update /person/update',
  extra: { nonce?: string } = {},
): Promise<TokenResponse> {
  const { location } = await control<{ location: string }>(base, 'POST', '/authorize', {
    orcid,
    clientId: client.clientId,
    scope,
    redirectUri: REDIRECT,
    state: 's1',
    ...extra,
  });
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  const res = await fetch(
    `${base}/oauth/token`,
    form({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
    }),
  );
  if (!res.ok) throw new Error(`token exchange failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenResponse;
}

/**
 * The researcher's answer at ORCID's authorize page for this authorize URL (what Lanyard or an
 * inbox request sent the browser to), given through the control API as `orcid`: where ORCID
 * sends the browser back (the callback with a code, or the denial).
 */
export async function orcidAnswers(
  base: string,
  authorize: URL,
  orcid: string,
  deny = false,
): Promise<string> {
  const q = authorize.searchParams;
  const { location } = await control<{ location: string }>(base, 'POST', '/authorize', {
    orcid,
    clientId: q.get('client_id'),
    scope: q.get('scope'),
    redirectUri: q.get('redirect_uri'),
    state: q.get('state'),
    deny,
  });
  return location;
}

export async function clientCredentials(
  base: string,
  client: { clientId: string; clientSecret: string },
  scope: string,
): Promise<TokenResponse> {
  const res = await fetch(
    `${base}/oauth/token`,
    form({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_type: 'client_credentials',
      scope,
    }),
  );
  if (!res.ok) throw new Error(`client credentials failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenResponse;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON bodies
  json: any;
}

export async function call(
  url: string,
  init: { method?: string; token?: string; body?: unknown; contentType?: string; accept?: string } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] = init.contentType ?? 'application/vnd.orcid+json';
  }
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const putCodeOf = (location: string | null): number => Number(location?.split('/').pop());

/** Signs in on the registry's page and returns the session cookie. */
export async function signIn(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
    redirect: 'manual',
  });
  if (res.status !== 302) throw new Error(`sign-in failed: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** What the control API's /state says of a researcher (the parts tests read). */
export interface ResearcherState {
  orcid: string;
  items: Array<{
    section: string;
    putCode: number;
    sourceClientId: string | null;
    visibility: string;
    json: Record<string, unknown>;
  }>;
  tokens: Array<{
    clientId: string;
    scope: string;
    disabled: boolean;
    revokeReason: string | null;
    uses: number;
    lastUsedAt: number | null;
  }>;
  memberRequests: boolean;
  /** Permission requests in the researcher's ORCID inbox, newest first. */
  inbox: Array<{
    putCode: number;
    clientId: string;
    subject: string | null;
    grantUrl: string;
    readAt: number | null;
    actionedAt: number | null;
    archivedAt: number | null;
  }>;
}

export async function researcherState(base: string, orcid: string): Promise<ResearcherState> {
  const state = await control<{ researchers: ResearcherState[] }>(base, 'GET', '/state');
  const r = state.researchers.find((x) => x.orcid === orcid);
  if (!r) throw new Error(`no researcher ${orcid} in the simulator`);
  return r;
}

/** A client's items in one section of a record, as the simulator holds them. */
export async function clientItems(base: string, orcid: string, clientId: string, section: string) {
  return (await researcherState(base, orcid)).items.filter(
    (i) => i.section === section && i.sourceClientId === clientId,
  );
}

/** The tokens a client holds on a record (oldest first). */
export async function clientTokens(base: string, orcid: string, clientId: string) {
  return (await researcherState(base, orcid)).tokens.filter((t) => t.clientId === clientId);
}
