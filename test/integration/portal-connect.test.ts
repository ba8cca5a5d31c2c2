// The researcher portal over real HTTP: demo-directory sign-in, connecting an iD through the
// simulator (approval through its control API), the callback's checks, wrong accounts,
// disconnect with revocation, display, CSRF, and no token in plaintext anywhere.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import {
  orcidAnswers as answerAtOrcid,
  clientItems,
  clientTokens,
  control,
  newResearcher,
  researcherState,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
const logLines: string[] = [];

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, {
    log: { level: 'debug', destination: { write: (line: string) => void logLines.push(line) } },
  });
});
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

async function signedIn(names: { givenNames?: string; familyName?: string } = {}) {
  const web = new WebClient();
  const username = await p.addPerson(names);
  const page = await web.get(`${p.tenantUrl}/`);
  expect(page.text).toContain('Sign in to Test University');
  const res = await web.post(`${p.tenantUrl}/signin/directory`, {
    _csrf: csrfOf(page.text),
    username,
    password: 'pw',
  });
  expect(res.status).toBe(303);
  const portal = await web.get(`${p.tenantUrl}/`);
  expect(portal.text).toContain('Create or Connect your ORCID iD');
  return { web, username, portal: portal.text };
}

/** POST connect; returns ORCID's authorize URL. */
async function startConnect(web: WebClient): Promise<URL> {
  const page = await web.get(`${p.tenantUrl}/`);
  const res = await web.post(`${p.tenantUrl}/connect`, { _csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  return new URL(res.location!);
}

/** The researcher's answer at ORCID (through the simulator's control API): the callback URL. */
const orcidAnswers = (authorize: URL, orcid: string, deny = false) =>
  answerAtOrcid(sb.base, authorize, orcid, deny);

async function connect(web: WebClient, orcid: string) {
  const callback = await orcidAnswers(await startConnect(web), orcid);
  const res = await web.get(callback);
  return { res, callback };
}

const count = async (table: 'orcid_links' | 'record_snapshots') =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(p.db.db)).rows[0]!.n,
  );

const tokensAt = (orcid: string) => clientTokens(sb.base, orcid, p.client.clientId);

describe('sign-in and the connect page', () => {
  it('a wrong password shows the sign-in page again with an explanation; a right one opens the portal', async () => {
    const web = new WebClient();
    const username = await p.addPerson();
    const page = await web.get(`${p.tenantUrl}/`);
    const bad = await web.post(`${p.tenantUrl}/signin/directory`, {
      _csrf: csrfOf(page.text),
      username,
      password: 'nope',
    });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('The username or password is not right');
    const { portal } = await signedIn({ givenNames: 'Marie', familyName: 'Curie' });
    expect(portal).toContain('Signed in as Marie Curie');
    expect(portal).toContain('Why Test University asks for your ORCID iD');
    expect(portal).toContain('Add or update your research activities');
    expect(portal).toContain('orcid@test.example.edu');
  });

  it('an unknown organisation answers 404', async () => {
    expect((await new WebClient().get(`${p.base}/o/no-such-org/`)).status).toBe(404);
  });

  it('the page speaks the chosen language, from Accept-Language or the switcher', async () => {
    const web = new WebClient();
    const fr = await web.get(`${p.tenantUrl}/?lang=fr`);
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain('Connexion à Test University');
    // The switcher's choice sticks (cookie).
    expect((await web.get(`${p.tenantUrl}/`)).text).toContain('<html lang="fr">');
    const es = await fetch(`${p.tenantUrl}/`, { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    expect(await es.text()).toContain('Iniciar sesión en Test University');
  });
});

describe('connecting an iD', () => {
  it('sends the researcher to ORCID with the tenant scopes, prompt=login, names, email, language and a fresh state', async () => {
    const { web } = await signedIn({ givenNames: 'Ines', familyName: 'Moreau' });
    await web.get(`${p.tenantUrl}/?lang=es`);
    const url = await startConnect(web);
    expect(`${url.origin}${url.pathname}`).toBe(`${sb.base}/oauth/authorize`);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(p.client.clientId);
    expect(q.get('scope')).toBe('/read-limited /activities/update /person/update');
    expect(q.get('redirect_uri')).toBe(`${p.tenantUrl}/orcid/callback`);
    expect(q.get('prompt')).toBe('login');
    expect(q.get('given_names')).toBe('Ines');
    expect(q.get('family_names')).toBe('Moreau');
    expect(q.get('email')).toMatch(/@test\.example\.edu$/);
    expect(q.get('lang')).toBe('es');
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await startConnect(web);
    expect(again.searchParams.get('state')).not.toBe(q.get('state'));
  });

  it('stores the link with the token sealed, shows the iD per the display guidelines, the name and current employment', async () => {
    const researcher = await newResearcher(sb.base, { givenNames: 'Rosalind', familyNames: 'Franklin' });
    await control(sb.base, 'POST', `/researchers/${researcher.orcid}/items`, {
      section: 'employment',
      item: {
        'department-name': 'Biophysics',
        'role-title': 'Research Associate',
        'start-date': { year: { value: '1951' } },
        organization: { name: "King's College London", address: { city: 'London', country: 'GB' } },
      },
      visibility: 'limited',
    });
    // Named differently at sign-in, so that the name shown can only have come from the record.
    const { web } = await signedIn({ givenNames: 'R.', familyName: 'Franklin-Local' });
    const { res } = await connect(web, researcher.orcid);
    expect(res.status).toBe(303);
    const page = (await web.get(`${p.tenantUrl}/`)).text;
    expect(page).toContain('your ORCID iD is now connected to Test University');
    const uri = `${sb.base}/${researcher.orcid}`;
    expect(page).toContain(`href="${uri}"`);
    expect(page).toContain(`<span>${uri}</span>`);
    expect(page).toContain('aria-label="ORCID logo"');
    expect(page).toMatch(/Name on your ORCID record[^<]*: <strong>Rosalind Franklin<\/strong>/);
    // The employment as ORCID holds it (read with /read-limited: its visibility is limited).
    expect(page).toContain('Research Associate, Biophysics, King&#39;s College London (1951)');
    const link = await p.db.db
      .selectFrom('orcid_links')
      .selectAll()
      .where('orcid', '=', researcher.orcid)
      .executeTakeFirstOrThrow();
    expect(link.status).toBe('active');
    expect(link.tenant_id).toBe(p.tenant.id);
    expect(link.scope).toContain('/activities/update');
    expect(link.token_sealed).toMatch(/^v1:test:/);
    expect(new Date(link.expires_at).getTime()).toBeGreaterThan(Date.now() + 300 * 86400_000);
    const outcomes = await p.db.db
      .selectFrom('orcid_authorizations')
      .select('outcome')
      .where('person_id', '=', link.person_id)
      .orderBy('id')
      .execute();
    expect(outcomes.map((o) => o.outcome)).toEqual(['started', 'granted']);
  });

  it('a valid link that covers the scopes is not sent to ORCID again', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn();
    await connect(web, researcher.orcid);
    const page = await web.get(`${p.tenantUrl}/`);
    const res = await web.post(`${p.tenantUrl}/connect`, { _csrf: csrfOf(page.text) });
    expect(res.location).toBe(`${p.tenantUrl}/`);
    expect((await web.get(`${p.tenantUrl}/`)).text).toContain('already connected with these permissions');
  });

  it('display: the public list and the JSON API (CORS open) show only authenticated iDs', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn({ givenNames: 'Chien-Shiung', familyName: 'Wu' });
    await connect(web, researcher.orcid);
    const person = await p.db.db
      .selectFrom('orcid_links as l')
      .innerJoin('people as pp', 'pp.id', 'l.person_id')
      .select('pp.local_id')
      .where('l.orcid', '=', researcher.orcid)
      .executeTakeFirstOrThrow();
    const list = await new WebClient().get(`${p.tenantUrl}/people`);
    expect(list.text).toContain('Chien-Shiung Wu');
    expect(list.text).toContain(`href="${sb.base}/${researcher.orcid}"`);
    const api = await fetch(`${p.tenantUrl}/api/people/${encodeURIComponent(person.local_id)}`, {
      headers: { origin: 'https://www.test.example.edu' },
    });
    expect(api.headers.get('access-control-allow-origin')).toBe('*');
    expect(await api.json()).toMatchObject({
      localId: person.local_id,
      name: 'Chien-Shiung Wu',
      orcid: researcher.orcid,
      orcidUri: `${sb.base}/${researcher.orcid}`,
      authenticated: true,
    });
    // Someone who signed in but never connected has no iD to show.
    const { username } = await signedIn();
    const unknown = await fetch(`${p.tenantUrl}/api/people/${username}`);
    expect(unknown.status).toBe(404);
  });
});

describe('when a connection does not happen', () => {
  it('deny lands on a clear page with why, a try-again button and the support contact; nothing stored', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn();
    const before = await count('orcid_links');
    const callback = await orcidAnswers(await startConnect(web), researcher.orcid, true);
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const res = await web.get(callback);
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-problem="denied"');
    expect(res.text).toContain('You chose not to give Test University access');
    expect(res.text).toContain('Why Test University asks for your ORCID iD');
    expect(res.text).toContain('Try again');
    expect(res.text).toContain('orcid@test.example.edu');
    expect(await count('orcid_links')).toBe(before);
    const last = await p.db.db
      .selectFrom('orcid_authorizations')
      .select('outcome')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last.outcome).toBe('denied');
  });

  it('tampered, replayed, expired and foreign states, a reused code and a missing code: clear page, nothing stored', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn();
    const problem = (text: string) => /data-problem="([a-z_]+)"/.exec(text)?.[1];
    const links = await count('orcid_links');

    // Tampered: one character of the state changed.
    const tampered = new URL(await orcidAnswers(await startConnect(web), researcher.orcid));
    const s = tampered.searchParams.get('state')!;
    tampered.searchParams.set('state', `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`);
    let res = await web.get(tampered.href);
    expect([res.status, problem(res.text)]).toEqual([400, 'state_invalid']);

    // Expired: the state is older than ten minutes.
    const expiring = new URL(await orcidAnswers(await startConnect(web), researcher.orcid));
    await sql`update oauth_states set expires_at = now() - interval '1 second' where used_at is null`.execute(
      p.db.db,
    );
    res = await web.get(expiring.href);
    expect([res.status, problem(res.text)]).toEqual([400, 'state_invalid']);

    // Foreign: started by another person in another browser.
    const other = await signedIn();
    const foreign = await orcidAnswers(await startConnect(other.web), researcher.orcid);
    res = await web.get(foreign);
    expect([res.status, problem(res.text)]).toEqual([400, 'state_invalid']);
    // ... and that state is now used up for its owner too.
    res = await other.web.get(foreign);
    expect(problem(res.text)).toBe('state_invalid');

    // Missing code: a valid state without a code.
    const noCode = new URL(await orcidAnswers(await startConnect(web), researcher.orcid));
    noCode.searchParams.delete('code');
    res = await web.get(noCode.href);
    expect([res.status, problem(res.text)]).toEqual([400, 'missing_code']);
    expect(await count('orcid_links')).toBe(links);

    // A successful callback, then replayed.
    const ok = await orcidAnswers(await startConnect(web), researcher.orcid);
    expect((await web.get(ok)).status).toBe(303);
    expect(await count('orcid_links')).toBe(links + 1);
    res = await web.get(ok);
    expect([res.status, problem(res.text)]).toEqual([400, 'state_invalid']);

    // A reused code with a fresh, valid state (another person's flow): ORCID refuses the exchange.
    const fresh = new URL(await orcidAnswers(await startConnect(other.web), researcher.orcid));
    fresh.searchParams.set('code', new URL(ok).searchParams.get('code')!);
    res = await other.web.get(fresh.href);
    expect([res.status, problem(res.text)]).toEqual([400, 'exchange_failed']);
    expect(await count('orcid_links')).toBe(links + 1);
  });

  it('an ORCID error such as invalid_scope lands on the explanation page with what ORCID said', async () => {
    const { web } = await signedIn();
    const authorize = await startConnect(web);
    const callback = new URL(`${p.tenantUrl}/orcid/callback`);
    callback.searchParams.set('error', 'invalid_scope');
    callback.searchParams.set('error_description', 'The requested scope is invalid');
    callback.searchParams.set('state', authorize.searchParams.get('state')!);
    const res = await web.get(callback.href);
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-problem="orcid_error"');
    expect(res.text).toContain('ORCID reported a problem with the request: The requested scope is invalid');
    const last = await p.db.db
      .selectFrom('orcid_authorizations')
      .select(['outcome', 'detail'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ outcome: 'orcid_error', detail: 'invalid_scope: The requested scope is invalid' });
  });

  it('error pages outside a portal speak the browser language too', async () => {
    const fr = await fetch(`${p.base}/o/no-such-org/`, { headers: { 'accept-language': 'fr' } });
    expect(fr.status).toBe(404);
    expect(await fr.text()).toContain('Page introuvable');
    const { web } = await signedIn();
    await web.get(`${p.tenantUrl}/?lang=es`);
    const refused = await web.post(`${p.tenantUrl}/connect`, {});
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Este formulario ha caducado');
  });

  it('POSTs without a valid CSRF token are refused and change nothing', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn();
    let res = await web.post(`${p.tenantUrl}/connect`, {});
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    res = await web.post(`${p.tenantUrl}/connect`, { _csrf: 'forged' });
    expect(res.status).toBe(403);
    await connect(web, researcher.orcid);
    res = await web.post(`${p.tenantUrl}/disconnect`, { _csrf: 'forged' });
    expect(res.status).toBe(403);
    const link = await p.db.db
      .selectFrom('orcid_links')
      .select('status')
      .where('orcid', '=', researcher.orcid)
      .executeTakeFirstOrThrow();
    expect(link.status).toBe('active');
    // Signing in also needs the token (no login CSRF).
    const fresh = new WebClient();
    await fresh.get(`${p.tenantUrl}/`);
    expect(
      (await fresh.post(`${p.tenantUrl}/signin/directory`, { username: 'x', password: 'y' })).status,
    ).toBe(403);
  });
});

describe('wrong account', () => {
  it('a person already linked to one iD cannot link another; the new token is revoked', async () => {
    const first = await newResearcher(sb.base);
    const second = await newResearcher(sb.base);
    const { web } = await signedIn();
    // Two tabs: both start a connection; the first completes with one iD, the second with another.
    const tab1 = await startConnect(web);
    const tab2 = await startConnect(web);
    expect((await web.get(await orcidAnswers(tab1, first.orcid))).status).toBe(303);
    const res = await web.get(await orcidAnswers(tab2, second.orcid));
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-problem="person_has_other_id"');
    expect(res.text).toContain(first.orcid);
    expect(res.text).toContain(second.orcid);
    const links = await p.db.db
      .selectFrom('orcid_links')
      .select(['orcid', 'status'])
      .where('orcid', 'in', [first.orcid, second.orcid])
      .execute();
    expect(links).toEqual([{ orcid: first.orcid, status: 'active' }]);
    expect((await tokensAt(second.orcid)).map((t) => t.disabled)).toEqual([true]);
  });

  it('an iD already linked to another person of the organisation is refused; the new token is revoked', async () => {
    const researcher = await newResearcher(sb.base);
    const a = await signedIn();
    await connect(a.web, researcher.orcid);
    const b = await signedIn();
    const { res } = await connect(b.web, researcher.orcid);
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-problem="id_linked_elsewhere"');
    const tokens = await tokensAt(researcher.orcid);
    expect(tokens.map((t) => t.disabled)).toEqual([false, true]);
  });
});

describe('disconnect', () => {
  it('revokes the token at ORCID, ends the link with its time, audits it; the person can connect another iD', async () => {
    const first = await newResearcher(sb.base);
    const second = await newResearcher(sb.base);
    const { web } = await signedIn();
    await connect(web, first.orcid);
    const page = await web.get(`${p.tenantUrl}/`);
    const res = await web.post(`${p.tenantUrl}/disconnect`, { _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    const after = (await web.get(`${p.tenantUrl}/`)).text;
    expect(after).toContain(`Your ORCID iD ${first.orcid} is disconnected`);
    expect(after).toContain('Create or Connect your ORCID iD');
    expect((await tokensAt(first.orcid)).map((t) => t.disabled)).toEqual([true]);
    const link = await p.db.db
      .selectFrom('orcid_links')
      .selectAll()
      .where('orcid', '=', first.orcid)
      .executeTakeFirstOrThrow();
    expect(link.status).toBe('revoked');
    expect(link.revoked_by).toBe('researcher');
    expect(link.revoked_at).toBeInstanceOf(Date);
    expect(link.revoked_at_orcid).toBeInstanceOf(Date);
    expect(link.token_sealed).toBeNull();
    const audit = await p.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject', '=', first.orcid)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['orcid.connect', 'orcid.disconnect']);
    // Reconnect with another iD.
    expect((await connect(web, second.orcid)).res.status).toBe(303);
    expect((await web.get(`${p.tenantUrl}/`)).text).toContain(`${sb.base}/${second.orcid}`);
  });

  it('when ORCID cannot be reached the link is still removed and the revocation is queued', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn();
    await connect(web, researcher.orcid);
    await control(sb.base, 'POST', '/faults', { pathPattern: '/oauth/revoke', status: 503, rate: 1 });
    try {
      const page = await web.get(`${p.tenantUrl}/`);
      await web.post(`${p.tenantUrl}/disconnect`, { _csrf: csrfOf(page.text) });
      expect((await web.get(`${p.tenantUrl}/`)).text).toContain('will keep asking ORCID to revoke');
    } finally {
      await control(sb.base, 'DELETE', '/faults');
    }
    const link = await p.db.db
      .selectFrom('orcid_links')
      .selectAll()
      .where('orcid', '=', researcher.orcid)
      .executeTakeFirstOrThrow();
    expect(link.status).toBe('revoked');
    expect(link.token_sealed).not.toBeNull();
    const jobs = await sql<{
      n: string;
    }>`select count(*) as n from pgboss.job where name = 'revoke-token' and data->>'linkId' = ${link.id}`.execute(
      p.db.db,
    );
    expect(Number(jobs.rows[0]!.n)).toBe(1);
    expect((await tokensAt(researcher.orcid)).map((t) => t.disabled)).toEqual([false]);
  });
});

describe('secrets', () => {
  it('no access, refresh or id token appears in a database dump, a log line or a page', async () => {
    const researcher = await newResearcher(sb.base);
    const { web } = await signedIn();
    await connect(web, researcher.orcid);
    const link = await p.db.db
      .selectFrom('orcid_links')
      .select('id')
      .where('orcid', '=', researcher.orcid)
      .executeTakeFirstOrThrow();
    const token = (await p.container.repos.links.tokenOf(p.tenant.id, link.id))!;
    expect(token.access_token).toMatch(/\S{20,}/);
    const secrets = [token.access_token, token.refresh_token!, p.client.clientSecret];

    const tables = await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`.execute(p.db.db);
    let dump = '';
    for (const t of tables.rows)
      dump += (
        await sql<{ r: string }>`select t::text as r from ${sql.table(`${t.schema}.${t.name}`)} t`.execute(
          p.db.db,
        )
      ).rows
        .map((r) => r.r)
        .join('\n');
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).toContain(researcher.orcid);
    const page = (await web.get(`${p.tenantUrl}/`)).text;
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(logLines.join('\n')).not.toContain(secret);
      expect(page).not.toContain(secret);
    }
    expect(logLines.some((l) => l.includes('/oauth/token'))).toBe(true);
  });
});

describe('a public API organisation asking openid', () => {
  it('verifies the id_token (nonce, signature) and stores the link', async () => {
    const tenant = await p.addTenant({ apiType: 'public', scopes: 'openid' });
    const researcher = await newResearcher(sb.base);
    const web = new WebClient();
    const username = await p.addPerson({}, tenant.id);
    const url = `${p.base}/o/${tenant.slug}`;
    const page = await web.get(`${url}/`);
    await web.post(`${url}/signin/directory`, { _csrf: csrfOf(page.text), username, password: 'pw' });
    const portal = await web.get(`${url}/`);
    const start = await web.post(`${url}/connect`, { _csrf: csrfOf(portal.text) });
    const authorize = new URL(start.location!);
    expect(authorize.searchParams.get('scope')).toBe('openid');
    expect(authorize.searchParams.get('nonce')).toMatch(/\S{16,}/);
    const { location } = await control<{ location: string }>(sb.base, 'POST', '/authorize', {
      orcid: researcher.orcid,
      clientId: authorize.searchParams.get('client_id'),
      scope: 'openid',
      redirectUri: authorize.searchParams.get('redirect_uri'),
      state: authorize.searchParams.get('state'),
      nonce: authorize.searchParams.get('nonce'),
    });
    const res = await web.get(location);
    expect(res.status).toBe(303);
    const link = await p.db.db
      .selectFrom('orcid_links')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(link.orcid).toBe(researcher.orcid);
  });
});

describe('the worker', () => {
  it('revokes at ORCID, once it answers again, the token of a link ended while it could not be reached', async () => {
    const wp = await startPortal(sb.base, { worker: true });
    try {
      const researcher = await newResearcher(sb.base);
      const { web } = await signInToPortal(wp, await wp.addPerson());
      await connectInPortal(wp, sb.base, web, researcher.orcid);
      // The token the person granted (the worker may already hold a /read-limited read token made from it).
      const tokens = async () =>
        (await clientTokens(sb.base, researcher.orcid, wp.client.clientId))
          .filter((t) => t.scope !== '/read-limited')
          .map((t) => t.disabled);
      await control(sb.base, 'POST', '/faults', { pathPattern: '/oauth/revoke', status: 503, rate: 1 });
      const connected = await web.get(`${wp.tenantUrl}/`);
      await web.post(`${wp.tenantUrl}/disconnect`, { _csrf: csrfOf(connected.text) });
      expect(await tokens()).toEqual([false]);
      await control(sb.base, 'DELETE', '/faults');
      const deadline = Date.now() + 20_000;
      while ((await tokens())[0] === false && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(await tokens()).toEqual([true]);
      const link = await wp.db.db
        .selectFrom('orcid_links')
        .selectAll()
        .where('orcid', '=', researcher.orcid)
        .executeTakeFirstOrThrow();
      // Confirmed revoked: nothing secret is kept.
      for (
        let i = 0;
        i < 50 &&
        (
          await wp.db.db
            .selectFrom('orcid_links')
            .select('token_sealed')
            .where('id', '=', link.id)
            .executeTakeFirstOrThrow()
        ).token_sealed;
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      const after = await wp.db.db
        .selectFrom('orcid_links')
        .selectAll()
        .where('id', '=', link.id)
        .executeTakeFirstOrThrow();
      expect(after.token_sealed).toBeNull();
      expect(after.revoked_at_orcid).toBeInstanceOf(Date);
    } finally {
      await control(sb.base, 'DELETE', '/faults');
      await wp.close();
    }
  }, 40_000);

  it('items waiting for a person (pending) are written to ORCID as soon as they connect', async () => {
    const wp = await startPortal(sb.base, { worker: true });
    try {
      const researcher = await newResearcher(sb.base);
      const { web } = await signInToPortal(wp, await wp.addPerson({ employeeId: 'WAIT-1' }));
      const person = await wp.db.db
        .selectFrom('people')
        .select('id')
        .where('local_id', '=', 'WAIT-1')
        .executeTakeFirstOrThrow();
      const items = wp.container.repos.items;
      const { item } = await items.upsert(
        wp.tenant.id,
        person.id,
        {
          section: 'employment',
          sourceKey: 'hr:WAIT-1',
          payload: { 'role-title': 'Postdoc', 'start-date': { year: { value: '2024' } } },
          desired: 'present',
        },
        false,
      );
      expect(item.status).toBe('pending');
      const portal = await web.get(`${wp.tenantUrl}/`);
      // The researcher sees what is waiting for them, in plain words.
      expect(portal.text).toContain('What Test University added to your ORCID record');
      expect(portal.text).toMatch(
        /<td>Postdoc<\/td><td>Employment<\/td><td>Waiting for you to connect your iD<\/td>/,
      );
      await connectInPortal(wp, sb.base, web, researcher.orcid);
      const deadline = Date.now() + 20_000;
      while ((await items.byId(wp.tenant.id, item.id))!.status !== 'in_orcid' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const written = (await items.byId(wp.tenant.id, item.id))!;
      expect([written.status, written.status_detail]).toEqual(['in_orcid', null]);
      const employments = await clientItems(sb.base, researcher.orcid, wp.client.clientId, 'employment');
      expect(employments.map((e) => e.putCode)).toEqual([Number(written.put_code)]);
      expect(employments[0]!.json).toMatchObject({
        'role-title': 'Postdoc',
        organization: { name: 'Test University' },
      });
      expect((await web.get(`${wp.tenantUrl}/`)).text).toMatch(
        /<td>Postdoc<\/td><td>Employment<\/td><td>On your ORCID record<\/td>/,
      );
    } finally {
      await wp.close();
    }
  }, 40_000);

  it('purges expired sessions, old OAuth states and unanswered SAML requests, and keeps live ones', async () => {
    const { purgeExpiredState } = await import('../../src/jobs/purge-expired-state.job.js');
    const db = p.db.db;
    const { PersonRepository } = await import('../../src/db/person.repository.js');
    const person = (await new PersonRepository(db).upsertFromSignIn(p.tenant.id, { employeeId: 'PURGE-1' }))!;
    const old = new Date(Date.now() - 2 * 86400_000);
    await db
      .insertInto('sessions')
      .values([
        { id_hash: 'expired', data: '{}', expires_at: old },
        { id_hash: 'live', data: '{}', expires_at: new Date(Date.now() + 3600_000) },
      ])
      .execute();
    await db
      .insertInto('oauth_states')
      .values([
        {
          state_hash: 'old-state',
          tenant_id: p.tenant.id,
          person_id: person.id,
          session_hash: 'x',
          nonce: null,
          scope: 's',
          expires_at: old,
        },
        {
          state_hash: 'fresh-state',
          tenant_id: p.tenant.id,
          person_id: person.id,
          session_hash: 'x',
          nonce: null,
          scope: 's',
          expires_at: new Date(Date.now() + 600_000),
        },
      ])
      .execute();
    await db
      .insertInto('saml_requests')
      .values([
        { id: '_old', value: 'x', created_at: old },
        { id: '_fresh', value: 'x' },
      ])
      .execute();
    const purged = await purgeExpiredState(p.container);
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect(purged.states).toBeGreaterThanOrEqual(1);
    expect(purged.samlRequests).toBe(1);
    expect(
      await db.selectFrom('sessions').select('id_hash').where('id_hash', 'in', ['expired', 'live']).execute(),
    ).toEqual([{ id_hash: 'live' }]);
    expect(
      await db
        .selectFrom('oauth_states')
        .select('state_hash')
        .where('state_hash', 'in', ['old-state', 'fresh-state'])
        .execute(),
    ).toEqual([{ state_hash: 'fresh-state' }]);
    expect(await db.selectFrom('saml_requests').select('id').execute()).toEqual([{ id: '_fresh' }]);
  });
});

describe('when the organisation asks for more', () => {
  it('a connected person is asked again; the same iD keeps its link with the new token and the old one is revoked', async () => {
    const tenant = await p.addTenant({ scopes: '/read-limited' });
    const url = `${p.base}/o/${tenant.slug}`;
    const researcher = await newResearcher(sb.base);
    const web = new WebClient();
    const username = await p.addPerson({}, tenant.id);
    const signInPage = await web.get(`${url}/`);
    await web.post(`${url}/signin/directory`, { _csrf: csrfOf(signInPage.text), username, password: 'pw' });
    const connectVia = async () => {
      const page = await web.get(`${url}/`);
      const start = await web.post(`${url}/connect`, { _csrf: csrfOf(page.text) });
      return web.get(await orcidAnswers(new URL(start.location!), researcher.orcid));
    };
    expect((await connectVia()).status).toBe(303);
    await p.container.repos.tenants.update(tenant.id, {
      scopes: '/read-limited /activities/update',
    });
    await new Promise((r) => setTimeout(r, 5200)); // the portal's tenant cache
    const page = (await web.get(`${url}/`)).text;
    expect(page).toContain('Test University asks for more permissions');
    expect((await connectVia()).status).toBe(303);
    const links = await p.db.db
      .selectFrom('orcid_links')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(links).toHaveLength(1);
    expect(links[0]!.scope).toContain('/activities/update');
    // This organisation has its own client: every token on the record is its.
    const { tokens } = await researcherState(sb.base, researcher.orcid);
    expect(tokens.map((t) => [t.scope.includes('/activities/update'), t.disabled])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect((await web.get(`${url}/`)).text).not.toContain('asks for more permissions');
  }, 20_000);
});
