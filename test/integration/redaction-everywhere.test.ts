// No secret readable anywhere: a researcher connects, the organisation writes through an upload
// and the REST API, the researcher revokes the token at ORCID and the next write gets ORCID's
// 401 "Invalid access token: <token>". Then every row of every table (public and pgboss
// schemas), every API response, the upload export and the pages seen are scanned for every
// secret of the flow: the authorization code, access, refresh and id tokens, the client secret
// and the API key. ORCID's texts stay readable, redacted.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { form, newResearcher, orcidAnswers, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
const seen: Array<{ what: string; text: string }> = [];

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true, tenant: { slug: 'redact-uni' } });
});
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

async function keep(what: string, res: { text: string } | Response): Promise<string> {
  const text = res instanceof Response ? await res.text() : res.text;
  seen.push({ what, text });
  return text;
}

async function settledItem(apiKey: string, sourceKey: string, from = ['queued', 'retrying']) {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${p.base}/api/v1/items/${sourceKey}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const text = await keep(`GET /api/v1/items/${sourceKey}`, res);
    const item = JSON.parse(text) as { status: string; statusDetail: string | null };
    if (!from.includes(item.status)) return item;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${sourceKey} never settled`);
}

async function uploadAndSettle(admin: WebClient, csv: string): Promise<string> {
  const page = await admin.get(`${p.tenantUrl}/admin/`);
  const res = await admin.upload(
    `${p.tenantUrl}/admin/uploads?_csrf=${encodeURIComponent(csrfOf(page.text))}`,
    {},
    { field: 'file', filename: 'staff.csv', content: csv },
  );
  expect(res.status).toBe(303);
  const url = new URL(res.location!, p.base).toString();
  for (let i = 0; i < 200; i++) {
    const progress = JSON.parse(await keep('upload progress', await admin.get(`${url}/progress`)));
    if (progress.settled) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('upload never settled');
}

describe('redaction everywhere', () => {
  it('no table, API response, export or page holds a token, code, client secret or API key', async () => {
    const secrets: Record<string, string> = { 'client secret': p.client.clientSecret };
    const { key } = await p.container.repos.apiKeys.create(p.tenant.id, 'HR feed');
    secrets['API key'] = key;
    await p.container.repos.adminUsers.grant(p.tenant.id, 'RED-ADM', 'test');
    const admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'RED-ADM' }))).web;

    // Ada connects; the code ORCID issued is kept to look for it later.
    const { orcid } = await newResearcher(sb.base);
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'RED-ADA' }));
    const start = await web.post(`${p.tenantUrl}/connect`, {
      _csrf: csrfOf((await web.get(`${p.tenantUrl}/`)).text),
    });
    const location = await orcidAnswers(sb.base, new URL(start.location!), orcid);
    secrets['authorization code'] = new URL(location).searchParams.get('code')!;
    expect((await web.get(location)).status).toBe(303);
    await keep('portal page', await web.get(`${p.tenantUrl}/`));
    const links = p.container.repos.links;
    const person = await p.db.db
      .selectFrom('people')
      .select('id')
      .where('tenant_id', '=', p.tenant.id)
      .where('local_id', '=', 'RED-ADA')
      .executeTakeFirstOrThrow();
    const link = (await links.activeFor(p.tenant.id, person.id))!;
    const token = (await links.tokenOf(p.tenant.id, link.id))!;
    secrets['access token'] = token.access_token;
    secrets['refresh token'] = token.refresh_token!;
    secrets['id token'] = token.id_token!;

    // Written while the token is good: an upload, and an item through the API.
    const first = await uploadAndSettle(
      admin,
      'local_id,source_key,type,role,start_date\nRED-ADA,red-emp,employment,Lecturer,2020-01\n',
    );
    await keep('upload page', await admin.get(first));
    const putKeyword = (content: string) =>
      fetch(`${p.base}/api/v1/people/RED-ADA/items/red-kw`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ section: 'keywords', payload: { content } }),
      });
    await keep('PUT item', await putKeyword('Glaciology'));
    expect((await settledItem(key, 'red-kw')).status).toBe('in_orcid');

    // Ada revokes the organisation's access at ORCID; ORCID now echoes the token in its errors.
    const revoke = await fetch(
      `${sb.base}/oauth/revoke`,
      form({ client_id: p.client.clientId, client_secret: p.client.clientSecret, token: token.access_token }),
    );
    expect(revoke.status).toBe(200);
    const echo = await fetch(`${sb.api}/v3.0/${orcid}/record`, {
      headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json' },
    });
    expect(await echo.text()).toContain(token.access_token);

    // The next write meets that 401: the item says so, in ORCID's words, without the token.
    const second = await uploadAndSettle(
      admin,
      'local_id,source_key,type,role,start_date\nRED-ADA,red-emp,employment,Senior Lecturer,2020-01\n',
    );
    const revoked = await settledItem(key, 'red-emp');
    expect(revoked.status).toBe('revoked');
    expect(revoked.statusDetail).toMatch(/Invalid access token: \[redacted\]/);
    const exported = await keep('upload export', await admin.get(`${second}/export`));
    expect(exported).toContain('revoked');
    await keep('PUT item after revocation', await putKeyword('Glaciers'));
    await keep(
      'GET person items',
      await fetch(`${p.base}/api/v1/people/RED-ADA/items`, { headers: { authorization: `Bearer ${key}` } }),
    );
    await keep('portal page after revocation', await web.get(`${p.tenantUrl}/`));
    // What the organisation's systems read of the record, the link and the changes.
    for (const path of ['/api/v1/people', '/api/v1/people/RED-ADA/record', '/api/v1/changes'])
      await keep(
        `GET ${path}`,
        await fetch(`${p.base}${path}`, { headers: { authorization: `Bearer ${key}` } }),
      );
    await keep('admin upload page', await admin.get(second));

    // The console: every page and export an administrator can read (all but the data export
    // with tokens, whose purpose is to hold them), and a shared link of every call.
    const consolePages = [
      'overview',
      'overview/calls/csv',
      'people',
      'people?q=RED-ADA',
      'calls',
      'calls/export.csv',
      'calls/export.json',
      'audit',
      'audit/export.json',
      'review',
      'review.json',
    ];
    const personId = (await p.db.pool.query(`select id from people where local_id = 'RED-ADA'`)).rows[0].id;
    consolePages.push(`people/${personId}`);
    for (const id of (await p.db.pool.query<{ id: string }>('select id::text from orcid_calls')).rows)
      consolePages.push(`calls/${id.id}`);
    for (const page of consolePages) {
      const res = await admin.get(`${p.tenantUrl}/admin/${page}`);
      expect(res.status, page).toBe(200);
      await keep(`console ${page}`, res);
    }
    const exportPage = await admin.get(`${p.tenantUrl}/admin/export`);
    for (const format of ['csv', 'json'])
      await keep(
        `data export (${format}, no tokens)`,
        await admin.post(`${p.tenantUrl}/admin/export`, {
          _csrf: csrfOf(exportPage.text),
          format,
          confirm: 'yes',
        }),
      );
    const callsPage = await admin.get(`${p.tenantUrl}/admin/calls`);
    const shared = await admin.post(`${p.tenantUrl}/admin/calls/share`, {
      _csrf: csrfOf(callsPage.text),
      days: '1',
    });
    const sharedUrl = /id="shared-url"[^>]*value="([^"]+)"/.exec(shared.text)![1]!;
    await keep('shared calls', await fetch(sharedUrl));

    // Every row of every table.
    const tables = await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`.execute(p.db.db);
    expect(tables.rows.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'items',
        'item_events',
        'orcid_authorizations',
        'orcid_calls',
        'job',
        'record_items',
        'record_changes',
        'call_log_shares',
      ]),
    );
    for (const t of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`select row_to_json(x)::text as row from ${sql.table(`${t.schema}.${t.name}`)} x`.execute(p.db.db);
      seen.push({ what: `table ${t.schema}.${t.name}`, text: rows.rows.map((r) => r.row).join('\n') });
    }
    const events = await p.db.db
      .selectFrom('item_events')
      .select('message')
      .where('status', '=', 'revoked')
      .execute();
    expect(events.some((e) => /Invalid access token: \[redacted\]/.test(e.message ?? ''))).toBe(true);

    const leaks = seen.flatMap(({ what, text }) =>
      Object.entries(secrets)
        .filter(([, secret]) => text.includes(secret))
        .map(([name]) => `${name} in ${what}`),
    );
    expect(leaks).toEqual([]);
  }, 90_000);
});
