// Asking a researcher again through their ORCID inbox (SPEC 6.10), with the real simulator: a
// person who connected and then withdrew the permission gets a permission request from the
// organisation's premium client; the researcher opens it in the simulator's inbox, grants, and
// ORCID's callback connects them again without any session at the portal. The grant must come
// from the iD the request went to; a researcher who turned such requests off makes ORCID refuse,
// and the administrator reads why. Nothing is offered for someone whose iD is unknown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import {
  clientTokens,
  control,
  newResearcher,
  orcidAnswers,
  researcherState,
  signIn,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;

const personId = async (localId: string) =>
  (
    await p.db.pool.query<{ id: string }>('select id from people where tenant_id = $1 and local_id = $2', [
      p.tenant.id,
      localId,
    ])
  ).rows[0]!.id;

const activeLinks = async (id: string) =>
  (
    await p.db.pool.query<{ orcid: string }>(
      `select orcid from orcid_links where tenant_id = $1 and person_id = $2 and status = 'active'`,
      [p.tenant.id, id],
    )
  ).rows.map((r) => r.orcid);

/** A person who connected `orcid` in the portal and then disconnected it there. */
async function formerlyConnected(localId: string) {
  const researcher = await newResearcher(sb.base);
  const { web } = await signInToPortal(p, await p.addPerson({ employeeId: localId }));
  expect((await connectInPortal(p, sb.base, web, researcher.orcid)).status).toBe(303);
  const page = await web.get(`${p.tenantUrl}/`);
  expect((await web.post(`${p.tenantUrl}/disconnect`, { _csrf: csrfOf(page.text) })).status).toBe(303);
  return { ...researcher, id: await personId(localId) };
}

async function ask(id: string) {
  const page = await admin.get(`${p.tenantUrl}/admin/people/${id}`);
  const res = await admin.post(`${p.tenantUrl}/admin/people/${id}/inbox-request`, {
    _csrf: csrfOf(page.text),
  });
  expect(res.status).toBe(303);
  return (await admin.get(res.location!)).text;
}

/** The researcher opens the request in the simulator's inbox and presses "Grant permissions". */
async function grantFromInbox(researcher: { orcid: string; email: string; password: string }) {
  const [request] = (await researcherState(sb.base, researcher.orcid)).inbox;
  const cookie = await signIn(sb.base, researcher.email, researcher.password);
  const page = await (await fetch(`${sb.base}/inbox/${request!.putCode}`, { headers: { cookie } })).text();
  const grant = await fetch(`${sb.base}/inbox/${request!.putCode}/grant`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]! }).toString(),
    redirect: 'manual',
  });
  expect(grant.status).toBe(303);
  return new URL(grant.headers.get('location')!);
}

/** ORCID's authorize page approved as `orcid` (control API): where ORCID sends the browser. */
const approveAs = (orcid: string, authorize: URL) => orcidAnswers(sb.base, authorize, orcid);

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  await p.container.repos.adminUsers.grant(p.tenant.id, 'IN-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'IN-ADMIN' }))).web;
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

async function setInbox(on: boolean) {
  const page = await admin.get(`${p.tenantUrl}/admin/invitations`);
  const res = await admin.post(`${p.tenantUrl}/admin/invitations/settings`, {
    _csrf: csrfOf(page.text),
    reminders: '2',
    everyDays: '14',
    language: 'en',
    ...(on ? { orcidInbox: 'yes' } : {}),
  });
  expect(res.status).toBe(303);
}

describe('asking through the ORCID inbox', () => {
  it('is offered only when the organisation turned it on, and refused otherwise', async () => {
    const ada = await formerlyConnected('IN-ADA');
    await setInbox(false);
    const page = await admin.get(`${p.tenantUrl}/admin/people/${ada.id}`);
    expect(page.text).not.toContain('id="inbox-request"');
    expect(await ask(ada.id)).toContain('turned off for this organisation');
    expect((await researcherState(sb.base, ada.orcid)).inbox).toEqual([]);
  });

  it('puts a request in the inbox; granting it there connects the person again, with no portal session', async () => {
    await setInbox(true);
    const grace = await formerlyConnected('IN-GRACE');
    expect(await activeLinks(grace.id)).toEqual([]);
    const before = await admin.get(`${p.tenantUrl}/admin/people/${grace.id}`);
    expect(before.text).toContain('id="inbox-request"');
    expect(before.text).toContain(grace.orcid);

    expect(await ask(grace.id)).toContain('The request is in the person&#39;s ORCID inbox.');
    const [request] = (await researcherState(sb.base, grace.orcid)).inbox;
    expect(request).toMatchObject({ clientId: p.client.clientId, subject: 'your activities', readAt: null });
    // The call log holds the request without its OAuth state.
    const { rows: calls } = await p.db.pool.query<{ request_body: string }>(
      `select request_body from orcid_calls where tenant_id = $1 and url like '%/notification-permission'`,
      [p.tenant.id],
    );
    expect(calls).toHaveLength(1);
    const state = new URL(request!.grantUrl).searchParams.get('state')!;
    expect(calls[0]!.request_body).not.toContain(state);
    expect(calls[0]!.request_body).toContain('state=[redacted]');

    const authorize = await grantFromInbox(grace);
    expect(authorize.searchParams.get('orcid')).toBe(grace.orcid);
    const callback = await approveAs(grace.orcid, authorize);
    const stranger = new WebClient();
    const answer = await stranger.get(callback);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('id="inbox-connected"');
    expect(answer.text).toContain(grace.orcid);
    expect(await activeLinks(grace.id)).toEqual([grace.orcid]);
    expect((await clientTokens(sb.base, grace.orcid, p.client.clientId)).at(-1)!.disabled).toBe(false);
    const after = await admin.get(`${p.tenantUrl}/admin/people/${grace.id}`);
    expect(after.text).toContain('request sent');
    expect(after.text).not.toContain('id="inbox-request"');
    const invitations = await admin.get(`${p.tenantUrl}/admin/invitations`);
    expect(invitations.text).toContain('id="inbox-requests"');
    expect(invitations.text).toMatch(/IN-GRACE<\/a><\/td><td>[\dX-]+<\/td><td>[^<]+<\/td><td>connected/);

    // The state is single-use: the same answer again changes nothing.
    const replay = await new WebClient().get(callback);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('data-problem="state_invalid"');
  });

  it('refuses a grant from another iD than the one asked, and withdraws that token', async () => {
    const hedy = await formerlyConnected('IN-HEDY');
    await ask(hedy.id);
    const authorize = await grantFromInbox(hedy);
    const other = await newResearcher(sb.base);
    const answer = await new WebClient().get(await approveAs(other.orcid, authorize));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('data-problem="inbox_other_id"');
    expect(await activeLinks(hedy.id)).toEqual([]);
    const tokens = await clientTokens(sb.base, other.orcid, p.client.clientId);
    expect(tokens.every((t) => t.disabled)).toBe(true);
  });

  it("tells the administrator ORCID's answer when the researcher does not accept requests", async () => {
    const ida = await formerlyConnected('IN-IDA');
    await control(sb.base, 'POST', `/researchers/${ida.orcid}/preferences`, { memberRequests: false });
    const page = await ask(ida.id);
    expect(page).toContain('ORCID refused the request');
    expect(page).toContain('allow notifications');
    const { rows } = await p.db.pool.query<{ last_error: string; put_code: string | null }>(
      'select last_error, put_code from orcid_inbox_requests where tenant_id = $1 and person_id = $2',
      [p.tenant.id, ida.id],
    );
    expect(rows).toEqual([{ last_error: expect.stringContaining('allow notifications'), put_code: null }]);
    const { rows: audit } = await p.db.pool.query<{ details: { orcid: string; error?: string } }>(
      `select details from audit_log where tenant_id = $1 and action = 'person.inbox_requested' and subject = $2`,
      [p.tenant.id, ida.id],
    );
    expect(audit).toEqual([{ details: { orcid: ida.orcid, error: expect.stringContaining('9032') } }]);
  });

  it('offers nothing for a person whose iD is unknown, or who is connected', async () => {
    await signInToPortal(p, await p.addPerson({ employeeId: 'IN-NEW' }));
    const researcher = await newResearcher(sb.base);
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'IN-CONNECTED' }));
    expect((await connectInPortal(p, sb.base, web, researcher.orcid)).status).toBe(303);
    for (const id of [await personId('IN-NEW'), await personId('IN-CONNECTED')]) {
      const page = await admin.get(`${p.tenantUrl}/admin/people/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('id="inbox-request"');
      expect(await ask(id)).toContain('has no iD to ask');
    }
    expect((await researcherState(sb.base, researcher.orcid)).inbox).toEqual([]);
  });
});
