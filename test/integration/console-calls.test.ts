// The console's ORCID call log over HTTP, on calls the platform really made to the simulator (a
// connect, its record read, writes): filters by person, iD, method, path and status; one call's
// request and answer without a secret; exports (CSV, JSON) of exactly the filtered calls, audited;
// and shared links that open without an account, show only the chosen calls, and stop working
// once revoked or expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { untilWritten } from '../helpers/until.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let calls: string;
let orcid: string;

const shownCalls = (html: string) => [...html.matchAll(/<tr data-call="(\d+)"/g)].map((m) => m[1]!);
const dbCalls = async (where = 'true', params: unknown[] = []) =>
  (
    await p.db.pool.query<{ id: string }>(
      `select id::text from orcid_calls where tenant_id = $1 and ${where} order by created_at desc, id desc`,
      [p.tenant.id, ...params],
    )
  ).rows.map((r) => r.id);

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  calls = `${p.tenantUrl}/admin/calls`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'CL-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'CL-ADMIN' }))).web;
  orcid = (await newResearcher(sb.base)).orcid;
  const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'CL-RES' }));
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
  await p.container.intake.stateItem(p.tenant.id, 'CL-RES', {
    section: 'employment',
    sourceKey: 'cl-emp',
    payload: { 'role-title': 'Archivist', 'start-date': { year: { value: '2019' } } },
  });
  await untilWritten(p.db.pool, 'cl-emp');
  // The worker reads the record again after the write: the tests compare pages and exports with
  // the call log, so they start once no call has been made for a second.
  for (let last = -1, i = 0; i < 30; i++) {
    const n = (await dbCalls()).length;
    if (n === last) break;
    last = n;
    await new Promise((r) => setTimeout(r, 1000));
  }
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

describe('the ORCID call log', () => {
  it('lists the calls newest first and filters them by person, iD, method, path and status', async () => {
    const all = await dbCalls();
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(shownCalls((await admin.get(calls)).text)).toEqual(all.slice(0, 50));
    const mine = await dbCalls('orcid = $2', [orcid]);
    expect(shownCalls((await admin.get(`${calls}?person=CL-RES`)).text)).toEqual(mine);
    expect(shownCalls((await admin.get(`${calls}?orcid=${orcid}`)).text)).toEqual(mine);
    expect(shownCalls((await admin.get(`${calls}?person=CL-NOBODY`)).text)).toEqual([]);
    const posts = await dbCalls(`method = 'POST' and url like '%/employment%'`);
    expect(posts.length).toBeGreaterThan(0);
    expect(shownCalls((await admin.get(`${calls}?method=POST&path=/employment`)).text)).toEqual(posts);
    expect(shownCalls((await admin.get(`${calls}?status=2xx`)).text)).toEqual(
      (await dbCalls('status between 200 and 299')).slice(0, 50),
    );
    expect(shownCalls((await admin.get(`${calls}?status=none`)).text)).toEqual([]);
    const bad = await admin.get(`${calls}?status=teapot&from=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('status');
  });

  it('shows one call’s request and answer, and no token', async () => {
    const [exchange] = await dbCalls(`url like '%/oauth/token'`);
    const page = await admin.get(`${calls}/${exchange}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('/oauth/token');
    const link = await p.db.pool.query<{ id: string }>('select id from orcid_links where orcid = $1', [
      orcid,
    ]);
    const token = await p.container.repos.links.tokenOf(p.tenant.id, link.rows[0]!.id);
    expect(page.text).not.toContain(token!.access_token);
    expect(page.text).not.toContain(token!.refresh_token);
    expect((await admin.get(`${calls}/999999999`)).status).toBe(404);
  });

  it('exports exactly the filtered calls as JSON and CSV, and audits each export', async () => {
    const mine = await dbCalls('orcid = $2', [orcid]);
    const json = await admin.get(`${calls}/export.json?orcid=${orcid}`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toContain('attachment');
    const rows = JSON.parse(json.text) as Array<{ id: number; orcid: string }>;
    expect(rows.map((r) => String(r.id))).toEqual(mine);
    expect(rows.every((r) => r.orcid === orcid)).toBe(true);
    const csv = await admin.get(`${calls}/export.csv?orcid=${orcid}`);
    expect(csv.text.split('\n')[0]).toBe(
      'id,created_at,orcid,method,url,status,error_code,error,duration_ms,attempt,request_body,response_body',
    );
    const audit = await p.db.pool.query<{ actor: string; details: { format: string } }>(
      `select actor, details from audit_log where tenant_id = $1 and action = 'calls.exported' order by created_at`,
      [p.tenant.id],
    );
    expect(audit.rows.map((r) => [r.actor, r.details.format])).toEqual([
      ['admin:CL-ADMIN', 'json'],
      ['admin:CL-ADMIN', 'csv'],
    ]);
  });

  it('shares chosen calls through a link that opens without an account, until revoked', async () => {
    const [a, b, other] = await dbCalls();
    const page = await admin.get(calls);
    const made = await admin.post(`${calls}/share`, {
      _csrf: csrfOf(page.text),
      call: a!,
      days: '7',
      note: 'Ticket 1234',
    } as Record<string, string>);
    expect(made.status).toBe(200);
    const url = /id="shared-url"[^>]*value="([^"]+)"/.exec(made.text)![1]!;
    expect(url).toMatch(/\/shared\/calls\/[\w-]{43}$/);
    const stranger = new WebClient();
    const shared = await stranger.get(url);
    expect(shared.status).toBe(200);
    expect(shared.headers.get('x-robots-tag')).toBe('noindex');
    expect([...shared.text.matchAll(/data-call="(\d+)"/g)].map((m) => m[1])).toEqual([a]);
    expect(shared.text).toContain('Ticket 1234');
    expect(shared.text).not.toContain(`data-call="${other}"`);
    expect(b).toBeDefined();
    // A token one character off opens nothing.
    expect((await stranger.get(`${url.slice(0, -1)}${url.endsWith('A') ? 'B' : 'A'}`)).status).toBe(404);

    const list = await admin.get(calls);
    const shareId = /<tr data-share="([^"]+)"/.exec(list.text)![1]!;
    const revoked = await admin.post(`${calls}/shares/${shareId}/revoke`, { _csrf: csrfOf(list.text) });
    expect(revoked.status).toBe(303);
    expect((await stranger.get(url)).status).toBe(404);
    expect((await admin.get(calls)).text).toContain('revoked');
  });

  it('a shared link of the filtered calls stops working once it expires', async () => {
    const page = await admin.get(calls);
    const made = await admin.post(`${calls}/share`, { _csrf: csrfOf(page.text), orcid, days: '1' });
    const url = /id="shared-url"[^>]*value="([^"]+)"/.exec(made.text)![1]!;
    const shared = await new WebClient().get(url);
    expect([...shared.text.matchAll(/data-call="(\d+)"/g)].map((m) => m[1])).toEqual(
      await dbCalls('orcid = $2', [orcid]),
    );
    // A day later.
    await p.db.pool.query(
      `update call_log_shares set expires_at = now() - interval '1 second' where note is null`,
    );
    expect((await new WebClient().get(url)).status).toBe(404);
    const audit = await p.db.pool.query(
      `select action from audit_log where tenant_id = $1 and action like 'calls.share%' order by created_at`,
      [p.tenant.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['calls.shared', 'calls.share_revoked', 'calls.shared']);
  });
});

describe('the audit log', () => {
  it('lists what administrators did, filtered by kind of action, and exports it (audited too)', async () => {
    const upload = await p.container.uploads.receive(
      p.tenant.id,
      {
        format: 'affiliations-csv',
        filename: 'staff.csv',
        content: [Buffer.from('local_id,source_key,type\n')],
      },
      'CL-ADMIN',
    );
    const audit = `${p.tenantUrl}/admin/audit`;
    const page = await admin.get(audit);
    expect(page.status).toBe(200);
    const actions = [...page.text.matchAll(/<tr data-action="([^"]+)"/g)].map((m) => m[1]);
    expect(actions[0]).toBe('upload.received');
    expect(actions).toEqual(
      expect.arrayContaining(['calls.exported', 'calls.shared', 'calls.share_revoked']),
    );
    expect(page.text).toContain(upload.id);
    const calls = await admin.get(`${audit}?action=calls`);
    const kinds = [...calls.text.matchAll(/<tr data-action="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(kinds)).toEqual(new Set(['calls.exported', 'calls.shared', 'calls.share_revoked']));
    expect((await admin.get(`${audit}?action=calls&actor=admin:CL-ADMIN`)).text).toContain('calls.shared');
    expect((await admin.get(`${audit}?actor=someone-else`)).text).toContain('No entry matches');

    const json = await admin.get(`${audit}/export.json?action=upload`);
    const rows = JSON.parse(json.text) as Array<{ action: string; details: { filename: string } }>;
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'upload.received',
        details: expect.objectContaining({ filename: 'staff.csv' }),
      }),
    ]);
    const after = await admin.get(`${audit}?action=audit`);
    expect(after.text).toContain('audit.exported');
    expect((await admin.get(`${audit}?from=tomorrow`)).status).toBe(400);
  });
});
