// Every console route in the app's route table, walked for two kinds of visitor: another
// organisation's administrator, who gets 404 for this organisation's people, items and uploads
// (and sees none of them in lists), and a signed-in person who is not an administrator, who gets
// 403 everywhere. Nothing changes for either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/db/rows.js';
import { signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { type Route, routeTable } from '../helpers/route-table.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let other: Tenant;
let otherAdmin: WebClient;
let notAdmin: WebClient;
let routes: Route[];
/** This organisation's ids, as a foreign visitor would put them in the path. */
const ids: Record<string, string> = {};

const state = async () =>
  (
    await p.db.pool.query(
      `select (select count(*) from people where tenant_id = $1) as people,
         (select count(*) from audit_log where tenant_id = $1) as audit,
         (select count(*) from items where tenant_id = $1 and status = 'pending') as pending,
         (select count(*) from invitations where tenant_id = $1) as invitations,
         (select count(*) from call_log_shares where tenant_id = $1 and revoked_at is null) as shares`,
      [p.tenant.id],
    )
  ).rows[0];

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base);
  // /o/{tenant}/admin only redirects to /o/{tenant}/admin/ (walked as such).
  // Signing in again ends the visitor's session: walked last.
  routes = routeTable(p.app)
    .filter((r) => r.path.startsWith('/o/:tenant/admin/'))
    .sort((a, b) => Number(a.path.endsWith('/sign-in-again')) - Number(b.path.endsWith('/sign-in-again')));
  await p.container.repos.people.upsertByLocalId(p.tenant.id, 'ISO-VICTIM', {
    email: 'victim@iso.example.org',
  });
  const victim = await p.container.intake.stateItem(p.tenant.id, 'ISO-VICTIM', {
    section: 'employment',
    sourceKey: 'iso-victim-emp',
    payload: { 'role-title': 'Secret role', 'start-date': { year: { value: '2020' } } },
  });
  ids.id = victim.person_id;
  ids.item = victim.id;
  const upload = await p.container.uploads.receive(
    p.tenant.id,
    {
      format: 'affiliations-csv',
      filename: 'victim.csv',
      content: [Buffer.from('local_id,source_key,type\n')],
    },
    'cli',
  );
  ids.upload = upload.id;
  const call = await p.db.pool.query<{ id: string }>(
    `insert into orcid_calls (tenant_id, orcid, method, url, status, response_body, duration_ms)
     values ($1, '0000-0002-1825-0097', 'GET', 'https://api.orcid.example/v3.0/0000-0002-1825-0097/record', 200,
       '{"secret":"ISO-VICTIM"}', 5) returning id::text`,
    [p.tenant.id],
  );
  ids.call = call.rows[0]!.id;
  ids.share = (
    await p.container.repos.callLog.share(p.tenant.id, {
      callIds: [ids.call],
      note: 'ISO-VICTIM',
      createdBy: 'test',
      expiresAt: new Date(Date.now() + 86_400_000),
    })
  ).id;

  other = await p.addTenant({ slug: 'iso-other', name: 'Other University' });
  await p.container.repos.adminUsers.grant(other.id, 'ISO-OTHER-ADMIN', 'test');
  otherAdmin = (
    await signInToPortal(
      { tenantUrl: `${p.base}/o/${other.slug}` },
      await p.addPerson({ employeeId: 'ISO-OTHER-ADMIN' }, other.id),
    )
  ).web;
  notAdmin = (await signInToPortal(p, await p.addPerson({ employeeId: 'ISO-PLAIN' }))).web;
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

/** The route's path for a tenant, with this organisation's ids in it. */
const pathFor = (r: Route, slug: string) =>
  r.path
    .replace(':tenant', slug)
    .replace('uploads/:id', `uploads/${ids.upload}`)
    .replace('calls/:id', `calls/${ids.call}`)
    .replace('shares/:id', `shares/${ids.share}`)
    .replace(':id', ids.id!)
    .replace(':item', ids.item!);

async function visit(web: WebClient, r: Route, slug: string) {
  const url = `${p.base}${pathFor(r, slug)}`;
  if (r.method === 'GET') return web.get(url);
  const page = await web.get(`${p.base}/o/${slug}/`);
  // Every form field a console POST reads, naming this organisation's ids where it takes one.
  return web.post(url, { _csrf: csrfOf(page.text), confirm: 'yes', call: ids.call! });
}

describe('console routes', () => {
  it('the route table has the console’s routes', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'GET /o/:tenant/admin/people',
      'GET /o/:tenant/admin/people/:id',
      'POST /o/:tenant/admin/people/:id/delete',
      'POST /o/:tenant/admin/uploads',
      'GET /o/:tenant/admin/uploads/:id/export',
      'GET /o/:tenant/admin/calls/:id',
      'POST /o/:tenant/admin/calls/shares/:id/revoke',
    ])
      expect(paths).toContain(expected);
  });

  it("another organisation's administrator gets 404 for this organisation's ids, and sees none of them", async () => {
    const before = await state();
    for (const r of routes) {
      const res = await visit(otherAdmin, r, other.slug);
      const named = /:(id|item)\b/.test(r.path);
      if (named) expect(res.status, `${r.method} ${r.path}`).toBe(404);
      else expect(res.status, `${r.method} ${r.path}`).toBeLessThan(500);
      expect(res.text, `${r.method} ${r.path}`).not.toContain('ISO-VICTIM');
      expect(res.text).not.toContain('Secret role');
    }
    // Nor can they reach this organisation's console with their own session.
    for (const r of routes) {
      const res = await visit(otherAdmin, r, p.tenant.slug);
      expect([401, 403, 404], `${r.method} ${r.path} on the other organisation`).toContain(res.status);
    }
    expect(await state()).toEqual(before);
  });

  it('a signed-in person who is not an administrator gets 403 on every console route', async () => {
    const before = await state();
    for (const r of routes) {
      const res = await visit(notAdmin, r, p.tenant.slug);
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect(res.text).not.toContain('ISO-VICTIM');
    }
    expect(await state()).toEqual(before);
  });
});
