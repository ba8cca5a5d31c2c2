// The console's people over HTTP, with the worker, the simulator and an SMTP receiver: the list
// finds people by name, local id, email and iD, filters and pages by key without losing or
// repeating anyone; a person's page shows their link and items but never a token; the actions
// (resend the invitation, retry an item, disconnect, delete) do what they say at ORCID and in the
// mail, each with an audit entry, and deletion leaves nothing that names the person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import {
  clientTokens,
  control,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let smtp: TestSmtp;
let p: TestPortal;
let admin: WebClient;
let people: string;
let ada: { id: string; orcid: string };

const personId = async (localId: string) =>
  (
    await p.db.pool.query<{ id: string }>('select id from people where tenant_id = $1 and local_id = $2', [
      p.tenant.id,
      localId,
    ])
  ).rows[0]!.id;

/** The people the list shows (their local ids, in order), following the page's links. */
const listed = (html: string) => [...html.matchAll(/<td>(CP-[\w-]+)<\/td>/g)].map((m) => m[1]!);
const linkOf = (html: string, rel: 'next' | 'prev') => {
  const m = new RegExp(`<a rel="${rel}" href="([^"]+)"`).exec(html);
  return m ? new URL(m[1]!.replaceAll('&amp;', '&'), p.base).href : null;
};

const auditOf = async (action: string) =>
  (
    await p.db.pool.query<{ actor: string; subject: string | null; details: Record<string, unknown> }>(
      'select actor, subject, details from audit_log where tenant_id = $1 and action = $2 order by created_at',
      [p.tenant.id, action],
    )
  ).rows;

beforeAll(async () => {
  sb = await startTestSandbox();
  smtp = await startSmtp();
  p = await startPortal(sb.base, { worker: true, smtpUrl: smtp.url });
  people = `${p.tenantUrl}/admin/people`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'CP-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'CP-ADMIN', familyName: 'Zadmin' }))).web;
  const orcid = (await newResearcher(sb.base)).orcid;
  const { web } = await signInToPortal(
    p,
    await p.addPerson({
      employeeId: 'CP-ADA',
      givenNames: 'Ada',
      familyName: 'Lovelace',
      email: 'ada@cp.example.org',
    }),
  );
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
  ada = { id: await personId('CP-ADA'), orcid };
  // 120 people who never signed in, as an upload states them (some with an email).
  await p.db.pool.query(
    `insert into people (tenant_id, local_id, given_names, family_name, email)
     select $1, 'CP-' || lpad(g::text, 3, '0'), 'Given' || g, 'Family' || lpad(g::text, 3, '0'),
       case when g % 2 = 0 then 'p' || g || '@cp.example.org' end
     from generate_series(1, 120) g`,
    [p.tenant.id],
  );
}, 60_000);
afterAll(async () => {
  await p?.close();
  await smtp?.close();
  await sb?.close();
});

describe('the people list', () => {
  it('pages by name forward and back, everyone once, in order', async () => {
    const seen: string[] = [];
    const pages: string[] = [];
    let url: string | null = people;
    while (url) {
      const page = await admin.get(url);
      expect(page.status).toBe(200);
      pages.push(page.text);
      seen.push(...listed(page.text));
      url = linkOf(page.text, 'next');
    }
    expect(pages.length).toBe(3);
    // Family001..Family120 by name, then Lovelace (CP-ADA), then Zadmin; everyone exactly once.
    expect(seen.length).toBe(122);
    expect(new Set(seen).size).toBe(122);
    expect(seen.slice(0, 3)).toEqual(['CP-001', 'CP-002', 'CP-003']);
    expect(seen.slice(-2)).toEqual(['CP-ADA', 'CP-ADMIN']);
    // Back from the last page gives the second page again.
    const back = await admin.get(linkOf(pages[2]!, 'prev')!);
    expect(listed(back.text)).toEqual(listed(pages[1]!));
    expect(linkOf(pages[0]!, 'prev')).toBeNull();
  });

  it('sorts by local id descending and by date added', async () => {
    const desc = await admin.get(`${people}?sort=local_id&order=desc`);
    expect(listed(desc.text).slice(0, 2)).toEqual(['CP-ADMIN', 'CP-ADA']);
    const added = await admin.get(`${people}?sort=added`);
    expect(listed(added.text).slice(0, 2)).toEqual(['CP-ADMIN', 'CP-ADA']);
  });

  it('finds people by part of a name, local id, email, and by iD', async () => {
    expect(listed((await admin.get(`${people}?q=lovel`)).text)).toEqual(['CP-ADA']);
    expect(listed((await admin.get(`${people}?q=${encodeURIComponent('Family11')}`)).text)).toHaveLength(10);
    expect(listed((await admin.get(`${people}?q=p42%40cp.example`)).text)).toEqual(['CP-042']);
    expect(listed((await admin.get(`${people}?q=${ada.orcid}`)).text)).toEqual(['CP-ADA']);
    expect(listed((await admin.get(`${people}?q=https://orcid.org/${ada.orcid}`)).text)).toEqual(['CP-ADA']);
    // LIKE's wildcards are searched for literally.
    const none = await admin.get(`${people}?q=%25`);
    expect(listed(none.text)).toEqual([]);
    expect(none.text).toContain('Nobody matches this search.');
  });

  it('filters by connection, item status and invitation', async () => {
    expect(listed((await admin.get(`${people}?link=active`)).text)).toEqual(['CP-ADA']);
    const never = listed((await admin.get(`${people}?link=never&sort=local_id`)).text);
    expect(never).not.toContain('CP-ADA');
    expect(never[0]).toBe('CP-001');
    await p.container.intake.stateItem(p.tenant.id, 'CP-007', {
      section: 'employment',
      sourceKey: 'cp-007-emp',
      payload: { 'role-title': 'Curator', 'start-date': { year: { value: '2020' } } },
    });
    expect(listed((await admin.get(`${people}?item=pending`)).text)).toEqual(['CP-007']);
    expect(listed((await admin.get(`${people}?item=failed`)).text)).toEqual([]);
  });

  it('refuses a malformed filter or page key with 400 and says which', async () => {
    const bad = await admin.get(`${people}?link=sideways`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('link');
    expect((await admin.get(`${people}?after=not-a-key`)).status).toBe(400);
  });
});

describe("a person's page and actions", () => {
  it('shows the link, scopes in words and items, never a token', async () => {
    const page = await admin.get(`${people}/${ada.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(ada.orcid);
    expect(page.text).toContain('Add or update your research activities');
    const tokens = await p.db.pool.query<{ id: string }>('select id from orcid_links where person_id = $1', [
      ada.id,
    ]);
    const token = await p.container.repos.links.tokenOf(p.tenant.id, tokens.rows[0]!.id);
    expect(page.text).not.toContain(token!.access_token);
    expect(page.text).not.toContain(token!.refresh_token);
  });

  it('resends the invitation: it arrives by SMTP and is audited', async () => {
    const id = await personId('CP-042');
    const page = await admin.get(`${people}/${id}`);
    const res = await admin.post(`${people}/${id}/invite`, { _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    const mail = await smtp.waitFor((m) => m.to.includes('p42@cp.example.org'));
    expect(mail.text).toContain(p.tenant.name);
    expect((await admin.get(res.location!)).text).toContain('The invitation is being sent again.');
    // Again: a second message.
    await admin.post(`${people}/${id}/invite`, { _csrf: csrfOf(page.text) });
    await until(
      async () => smtp.messages.filter((m) => m.to.includes('p42@cp.example.org')).length === 2,
      'the second invitation',
    );
    expect((await auditOf('person.invitation_resent')).map((a) => a.actor)).toEqual([
      'admin:CP-ADMIN',
      'admin:CP-ADMIN',
    ]);
    // Without an email address there is nobody to send it to.
    const mute = await personId('CP-041');
    const refused = await admin.post(`${people}/${mute}/invite`, { _csrf: csrfOf(page.text) });
    expect((await admin.get(refused.location!)).text).toContain('has no email address');
  });

  it('retries an item ORCID refused, which is then written to the record', async () => {
    // ORCID refuses the employment's first write (a 400, as for data it cannot take).
    await control(sb.base, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/employment$',
      status: 400,
      rate: 1,
    });
    await p.container.intake.stateItem(p.tenant.id, 'CP-ADA', {
      section: 'employment',
      sourceKey: 'cp-ada-emp',
      payload: { 'role-title': 'Analyst', 'start-date': { year: { value: '2020' } } },
    });
    const status = async () =>
      (
        await p.db.pool.query<{ id: string; status: string }>(
          'select id, status from items where source_key = $1',
          ['cp-ada-emp'],
        )
      ).rows[0]!;
    await until(async () => (await status()).status === 'invalid', 'the refusal');
    // The organisation fixed what ORCID refused.
    await control(sb.base, 'DELETE', '/faults');
    const { id: itemId } = await status();
    const page = await admin.get(`${people}/${ada.id}`);
    expect(page.text).toContain(`id="retry-${itemId}"`);
    const res = await admin.post(`${people}/${ada.id}/items/${itemId}/retry`, { _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    await until(async () => (await status()).status === 'in_orcid', 'the retried write');
    expect(await auditOf('item.retried')).toEqual([
      { actor: 'admin:CP-ADMIN', subject: ada.id, details: { sourceKey: 'cp-ada-emp' } },
    ]);
    // An item in ORCID is not retried again.
    const again = await admin.post(`${people}/${ada.id}/items/${itemId}/retry`, { _csrf: csrfOf(page.text) });
    expect((await admin.get(again.location!)).text).toContain('Only a failed, refused or unavailable item');
  });

  it('disconnects on the organisation’s side and revokes the token at ORCID', async () => {
    const page = await admin.get(`${people}/${ada.id}`);
    const res = await admin.post(`${people}/${ada.id}/disconnect`, { _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    expect((await admin.get(res.location!)).text).toContain('The connection is ended');
    const tokens = await clientTokens(sb.base, ada.orcid, p.client.clientId);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((t) => t.disabled)).toBe(true);
    expect((await auditOf('orcid.disconnect')).map((a) => a.actor)).toEqual(['admin:CP-ADMIN']);
  });

  it('deletes a connected person: revoked at ORCID, their data gone, an audit entry naming nobody', async () => {
    const orcid = (await newResearcher(sb.base)).orcid;
    const { web } = await signInToPortal(
      p,
      await p.addPerson({
        employeeId: 'CP-GONE',
        givenNames: 'Gone',
        familyName: 'Person',
        email: 'gone@cp.example.org',
      }),
    );
    expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
    const id = await personId('CP-GONE');
    await p.container.intake.stateItem(p.tenant.id, 'CP-GONE', {
      section: 'employment',
      sourceKey: 'cp-gone-emp',
      payload: { 'role-title': 'Leaver', 'start-date': { year: { value: '2001' } } },
    });
    await until(
      async () =>
        (
          await p.db.pool.query(
            `select 1 from items where source_key = 'cp-gone-emp' and status = 'in_orcid'`,
          )
        ).rowCount === 1,
      'the write',
    );
    const page = await admin.get(`${people}/${id}`);
    // Not confirmed: refused, nothing deleted.
    const unconfirmed = await admin.post(`${people}/${id}/delete`, { _csrf: csrfOf(page.text) });
    expect(unconfirmed.status).toBe(400);
    expect(await personId('CP-GONE')).toBe(id);

    const res = await admin.post(`${people}/${id}/delete`, { _csrf: csrfOf(page.text), confirm: 'yes' });
    expect(res.status).toBe(303);
    expect((await admin.get(res.location!)).text).toContain('The person and their data were deleted');
    expect((await clientTokens(sb.base, orcid, p.client.clientId)).every((t) => t.disabled)).toBe(true);
    for (const [table, where, params] of [
      ['people', 'id = $1', [id]],
      ['orcid_links', 'person_id = $1', [id]],
      ['items', 'person_id = $1', [id]],
      ['invitations', 'person_id = $1', [id]],
      ['orcid_calls', 'orcid = $1', [orcid]],
      ['orcid_authorizations', 'orcid = $1', [orcid]],
      ['mail_outbox', 'to_address = $1', ['gone@cp.example.org']],
    ] as const)
      expect(
        (await p.db.pool.query(`select 1 from ${table} where ${where}`, [...params])).rowCount,
        table,
      ).toBe(0);
    const [entry] = await auditOf('person.deleted');
    expect(entry).toMatchObject({ actor: 'admin:CP-ADMIN', subject: null });
    const written = JSON.stringify(entry);
    for (const personal of ['CP-GONE', 'Gone', 'gone@cp.example.org', orcid])
      expect(written).not.toContain(personal);
    expect((await admin.get(`${people}/${id}`)).status).toBe(404);
  });

  it('refuses an action without the form’s CSRF token', async () => {
    const id = await personId('CP-042');
    const res = await admin.post(`${people}/${id}/invite`, {});
    expect(res.status).toBe(403);
  });
});
