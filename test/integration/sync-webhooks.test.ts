// Synchronize end to end, against the simulator over HTTP with a real web role and worker: a
// person connects in the portal, their link gets an ORCID webhook, and what the researcher does at
// ORCID reaches the organisation: a deleted employment is deleted_by_researcher within one
// delivery cycle, another source's work appears in the copy and the feed, a burst of
// notifications costs at most two re-reads, dropped deliveries are found by reconciliation, and a
// revocation ends the link and its webhook.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectInPortal,
  newResearcher,
  signInToPortal,
  startPortal,
  type TestPortal,
} from '../helpers/portal.js';
import { control, signIn, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { csrfOf } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let smtp: TestSmtp;
/** Events the organisation's endpoint received (a receiver on loopback, signatures verified). */
const events: Array<{ type: string; data: Record<string, unknown> }> = [];
let receiver: Server;

beforeAll(async () => {
  sb = await startTestSandbox();
  smtp = await startSmtp();
  p = await startPortal(sb.base, {
    worker: true,
    smtpUrl: smtp.url,
    outboundAllow: ['127.0.0.0/8'],
    tenant: { sync: { webhooks: true, reconsentInvitation: true } },
  });
  let secret = '';
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      events.push(
        new Webhook(secret).verify(body, req.headers as Record<string, string>) as (typeof events)[number],
      );
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  ({ secret } = await p.container.events.addEndpoint(p.tenant, {
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`,
    eventTypes: ['item.status_changed', 'record.changed'],
  }));
});
/**
 * Closes a part, waiting 10 s at most: in CI a close here once waited past the hook's minute after
 * every test had passed (not reproduced here); the warning says which part, for investigation.
 */
const closing = (what: string, close: () => Promise<unknown>) =>
  Promise.race([
    close(),
    new Promise((r) =>
      setTimeout(() => {
        console.warn(`${what} did not close within 10 s`);
        r(undefined);
      }, 10_000).unref(),
    ),
  ]);
afterAll(async () => {
  await closing('portal', async () => p?.close());
  await closing('smtp', async () => smtp?.close());
  await closing('simulator', async () => sb?.close());
  receiver?.closeAllConnections();
  await closing('receiver', () => new Promise((r) => receiver?.close(r)));
}, 60_000);

const until = async <T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 15_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

interface SandboxState {
  webhooks: Array<{ orcid: string; uri: string; clientId: string }>;
}

/** A person signed in to the portal, connected as a new researcher; their link and callback. */
async function connectedPerson() {
  const username = await p.addPerson();
  const researcher = await newResearcher(sb.base);
  const { web } = await signInToPortal(p, username);
  const done = await connectInPortal(p, sb.base, web, researcher.orcid);
  expect(done.status).toBe(303);
  const link = (await p.container.repos.links.activeByOrcid(p.tenant.id, researcher.orcid))!;
  const person = (await p.container.repos.people.byId(p.tenant.id, link.person_id))!;
  const callback = await until('the webhook is registered at ORCID', async () => {
    const state = await control<SandboxState>(sb.base, 'GET', '/state');
    return state.webhooks.find((w) => w.orcid === researcher.orcid)?.uri;
  });
  await until(
    'the first read',
    async () => (await p.container.repos.links.byId(p.tenant.id, link.id))?.synced_at,
  );
  return { researcher, link, person, callback, web };
}

const recordReads = async (orcid: string) =>
  Number(
    (
      await p.db.db
        .selectFrom('orcid_calls')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('orcid', '=', orcid)
        .where('method', '=', 'GET')
        .where('url', 'like', '%/record')
        .executeTakeFirstOrThrow()
    ).n,
  );
let apiKey: string | null = null;
/** GET on the REST API with the organisation's key, as its systems read it. */
const api = async (path: string) => {
  apiKey ??= (await p.container.repos.apiKeys.create(p.tenant.id, 'CRIS')).key;
  const res = await fetch(`${p.base}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(res.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read as the tests need it
  return (await res.json()) as any;
};

/** The change feed's entries for one record, as "kind section". */
const feedKinds = async (link: { orcid: string }) =>
  (await p.container.repos.records.changesAfter(p.tenant.id, '0', 1000))
    .filter((c) => c.orcid === link.orcid)
    .map((c) => `${c.kind}${c.section ? ` ${c.section}` : ''}`);
const copy = async (linkId: string) => p.container.repos.records.items(p.tenant.id, linkId);

describe('ORCID webhooks', () => {
  it('registers a webhook with an unguessable callback on connect, stored only hashed', async () => {
    const { link, callback } = await connectedPerson();
    const token = callback.split('/hooks/orcid/')[1]!;
    expect(callback.startsWith(`${p.base}/hooks/orcid/`)).toBe(true);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // ORCID has it: the subscription is recorded as registered a moment later.
    const sub = await until('the subscription is registered', async () => {
      const [row] = await p.db.db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('link_id', '=', link.id)
        .execute();
      return row?.status === 'registered' && row;
    });
    expect(sub.orcid).toBe(link.orcid);
    // The call log (written in groups, a moment after the call) keeps the registration URL redacted.
    const registration = await until('the registration is in the call log', () =>
      p.db.db
        .selectFrom('orcid_calls')
        .select('url')
        .where('method', '=', 'PUT')
        .where('url', 'like', `%/${link.orcid}/webhook/%`)
        .executeTakeFirst(),
    );
    expect(registration.url).toContain('%2Fhooks%2Forcid%2F[redacted]');
    // No table holds the token.
    const tables = await sql<{ name: string }>`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema in ('public', 'pgboss') and table_type = 'BASE TABLE'`.execute(p.db.db);
    const holding: string[] = [];
    for (const t of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`select row_to_json(x)::text as row from ${sql.table(t.name)} x`.execute(p.db.db);
      if (rows.rows.some((r) => r.row.includes(token))) holding.push(t.name);
    }
    expect(holding).toEqual([]);
  });

  it('an employment the researcher deletes on their record page is deleted_by_researcher within one delivery cycle', async () => {
    const { researcher, link, person } = await connectedPerson();
    const item = await p.container.intake.stateItem(p.tenant.id, person.local_id, {
      section: 'employment',
      sourceKey: `emp-${person.local_id}`,
      payload: { 'role-title': 'Lecturer', 'start-date': { year: { value: '2021' } } },
    });
    const written = await until('the employment is written', async () => {
      const i = await p.container.repos.items.byId(p.tenant.id, item.id);
      return i?.status === 'in_orcid' && i;
    });
    // The researcher, on the simulator's record page.
    const cookie = await signIn(sb.base, researcher.email, researcher.password);
    const page = await (await fetch(`${sb.base}/my-orcid`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const del = await fetch(`${sb.base}/my-orcid/items/${written.put_code}/delete`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: 'manual',
    });
    expect(del.status).toBe(302);

    await until('deleted_by_researcher', async () => {
      const i = await p.container.repos.items.byId(p.tenant.id, item.id);
      return i?.status === 'deleted_by_researcher';
    });
    expect(await feedKinds(link)).toContain('item.deleted_by_researcher employment');
    expect((await copy(link.id)).some((r) => r.section === 'employment')).toBe(false);
    // The API: the item's status, the copy without it, and the change feed.
    expect((await api(`/api/v1/items/${item.source_key}`)).status).toBe('deleted_by_researcher');
    expect((await api(`/api/v1/people/${person.local_id}/record`)).sections.employment).toBeUndefined();
    expect(
      (await api('/api/v1/changes?limit=1000')).changes.some(
        (c: { kind: string; sourceKey: string | null }) =>
          c.kind === 'item.deleted_by_researcher' && c.sourceKey === item.source_key,
      ),
    ).toBe(true);
    // The organisation's systems hear of it.
    const event = await until('item.status_changed is delivered', async () =>
      events.find(
        (e) =>
          e.type === 'item.status_changed' &&
          e.data.sourceKey === item.source_key &&
          e.data.status === 'deleted_by_researcher',
      ),
    );
    expect(event.data).toMatchObject({ previousStatus: 'in_orcid', localId: person.local_id });

    // The same row uploaded again later does not put it back.
    await p.container.repos.adminUsers.grant(p.tenant.id, 'SYNC-ADM', 'test');
    const admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'SYNC-ADM' }))).web;
    const form = await admin.get(`${p.tenantUrl}/admin/`);
    const sent = await admin.upload(
      `${p.tenantUrl}/admin/uploads?_csrf=${encodeURIComponent(csrfOf(form.text))}`,
      {},
      {
        field: 'file',
        filename: 'staff.csv',
        content: `local_id,source_key,type,role,start_date\n${person.local_id},${item.source_key},employment,Lecturer,2021\n`,
      },
    );
    expect(sent.status).toBe(303);
    const upload = new URL(sent.location!, p.base).toString();
    const progress = await until('the upload is settled', async () => {
      const now = JSON.parse((await admin.get(`${upload}/progress`)).text) as {
        settled: boolean;
        state: string;
      };
      return now.settled && now;
    });
    expect(progress.state).toBe('accepted');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await p.container.repos.items.byId(p.tenant.id, item.id))!.status).toBe('deleted_by_researcher');
    const state = await control<{
      researchers: Array<{ orcid: string; items: Array<{ section: string; sourceClientId: string | null }> }>;
    }>(sb.base, 'GET', '/state');
    const mine = state.researchers
      .find((r) => r.orcid === researcher.orcid)!
      .items.filter((i) => i.section === 'employment' && i.sourceClientId === p.client.clientId);
    expect(mine).toEqual([]);
  });

  it('a work another source adds appears in the copy and the feed', async () => {
    const { researcher, link, web, person } = await connectedPerson();
    await control(sb.base, 'POST', `/researchers/${researcher.orcid}/items`, {
      section: 'work',
      item: { title: { title: { value: 'From another source' } }, type: 'book' },
    });
    const work = await until('the work is collected', async () =>
      (await copy(link.id)).find((r) => r.section === 'work'),
    );
    expect(work).toMatchObject({ own: false, title: 'From another source' });
    // The researcher's portal says when the record was read and what the organisation holds.
    const page = (await web.get(`${p.tenantUrl}/`)).text;
    expect(page).toMatch(/id="last-synced">Last read from ORCID: /);
    expect(page).toContain('<tr data-section="work"><td>Work</td><td>1</td></tr>');
    expect(await feedKinds(link)).toContain('item.added work');
    // The organisation's systems: the event, the API's copy and its change feed.
    const changed = await until('record.changed is delivered', async () =>
      events.find(
        (e) =>
          e.type === 'record.changed' &&
          e.data.orcid === researcher.orcid &&
          (e.data.sections as string[]).includes('work'),
      ),
    );
    expect(changed.data).toMatchObject({ localId: person.local_id });
    const record = await api(`/api/v1/people/${person.local_id}/record`);
    expect(record.sections.work).toEqual([
      expect.objectContaining({
        title: 'From another source',
        source: expect.objectContaining({ own: false }),
      }),
    ]);
    const feed = await api('/api/v1/changes?limit=1000');
    expect(
      feed.changes.some(
        (c: { kind: string; section: string; orcid: string }) =>
          c.kind === 'item.added' && c.section === 'work' && c.orcid === researcher.orcid,
      ),
    ).toBe(true);
  });

  it('100 notifications for one iD within a second cost at most 2 re-reads', async () => {
    const { researcher, callback } = await connectedPerson();
    const before = await recordReads(researcher.orcid);
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => fetch(callback, { method: 'POST' }).then((r) => r.status)),
    );
    expect(new Set(answers)).toEqual(new Set([204]));
    await until(
      'the re-read the notifications asked for',
      async () => (await recordReads(researcher.orcid)) > before,
    );
    // Then quiet: at most one more re-read follows (one asked while the first ran).
    await new Promise((r) => setTimeout(r, 3000));
    const reads = (await recordReads(researcher.orcid)) - before;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(2);
  });

  it('refuses an unknown token (404, nothing written), other methods (405), and never reads a body', async () => {
    const { callback, researcher } = await connectedPerson();
    // Jobs a request could have queued: not the schedules' runs, which come at their own times.
    const jobs = async () =>
      Number(
        (
          await p.db.pool.query<{ n: string }>(
            `select count(*) as n from pgboss.job where name not in
              ('reconcile', 'token-health', 'purge-call-log', 'purge-expired-state', 'revocation-sweep',
               'orcid-webhook-repair', 'invitation-reminders')`,
          )
        ).rows[0]!.n,
      );
    // The connection's own follow-up work (its events, its first read) is over first.
    let before = -1;
    for (let i = 0; i < 30; i++) {
      const n = await jobs();
      if (n === before) break;
      before = n;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const unknown = await fetch(`${p.base}/hooks/orcid/${'A'.repeat(43)}`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe('not_found');
    expect((await fetch(`${p.base}/hooks/orcid/short`, { method: 'POST' })).status).toBe(404);
    const get = await fetch(callback);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await jobs()).toBe(before);
    // A large body is not read: the answer comes, and the notification counts like any other.
    const big = await fetch(callback, { method: 'POST', body: 'x'.repeat(5_000_000) });
    expect(big.status).toBe(204);
    expect(
      (await fetch(`${p.base}/hooks/orcid/${'B'.repeat(43)}`, { method: 'POST', body: 'x'.repeat(100_000) }))
        .status,
    ).toBe(404);
    expect(researcher.orcid).toBeTruthy();
  });

  it('dropped deliveries: reconciliation finds the change', async () => {
    const { researcher, link } = await connectedPerson();
    await control(sb.base, 'POST', '/faults', { dropDelivery: true, pathPattern: '/hooks/orcid/', rate: 1 });
    try {
      await control(sb.base, 'POST', `/researchers/${researcher.orcid}/items`, {
        section: 'keywords',
        item: { content: 'missed by the webhook' },
      });
      await until('the delivery was dropped', async () => {
        const state = await control<{ webhookDeliveries: Array<{ orcid: string; dropped?: boolean }> }>(
          sb.base,
          'GET',
          '/state',
        );
        return state.webhookDeliveries.some((d) => d.orcid === researcher.orcid && d.dropped);
      });
      await new Promise((r) => setTimeout(r, 500));
      expect((await copy(link.id)).some((r) => r.section === 'keywords')).toBe(false);
      // A week later every record is due: reconciliation reads them all (a run every 6 s here).
      const plan = await p.container.sync.reconcile.run(
        p.tenant.id,
        6,
        new Date(Date.now() + 8 * 86_400_000),
      );
      expect(plan.overdue).toBe(plan.active);
      expect(plan.queued).toBeGreaterThanOrEqual(1);
      await until('reconciliation read the change', async () =>
        (await copy(link.id)).find((r) => r.section === 'keywords' && r.value === 'missed by the webhook'),
      );
    } finally {
      await control(sb.base, 'DELETE', '/faults');
    }
  });

  it('a revocation in the simulator’s account settings ends the link and its webhook, and asks the person once to connect again', async () => {
    const { researcher, link, person } = await connectedPerson();
    const item = await p.container.intake.stateItem(p.tenant.id, person.local_id, {
      section: 'keywords',
      sourceKey: `kw-${person.local_id}`,
      payload: { content: 'ours' },
    });
    await until(
      'written',
      async () => (await p.container.repos.items.byId(p.tenant.id, item.id))?.status === 'in_orcid',
    );
    const cookie = await signIn(sb.base, researcher.email, researcher.password);
    const page = await (await fetch(`${sb.base}/account`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    await fetch(`${sb.base}/account/revoke`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, client_id: p.client.clientId }).toString(),
      redirect: 'manual',
    });
    // ORCID sends no notification for a revocation: the next read (here, reconciliation's) finds it.
    await p.container.sync.recordSync.sync(p.tenant.id, link.id);
    expect((await p.container.repos.links.byId(p.tenant.id, link.id))!.status).toBe('revoked');
    // Already written: it stays on the record, as ORCID keeps it.
    expect((await p.container.repos.items.byId(p.tenant.id, item.id))!.status).toBe('in_orcid');
    expect(await feedKinds(link)).toContain('link.revoked');
    await until('the webhook is unregistered', async () => {
      const state = await control<SandboxState>(sb.base, 'GET', '/state');
      return !state.webhooks.some((w) => w.orcid === researcher.orcid);
    });
    // ORCID has removed it: the subscription is recorded as ended a moment later.
    await until('the subscription is ended', async () => {
      const [sub] = await p.db.db
        .selectFrom('webhook_subscriptions')
        .select('status')
        .where('link_id', '=', link.id)
        .execute();
      return sub?.status === 'ended';
    });
    // One re-consent mail, through a real SMTP server, linking to the portal.
    const mail = await smtp.waitFor(
      (m) => m.to.includes(person.email!) && /connection was removed/.test(m.text),
    );
    expect(mail.text).toContain(`${p.tenantUrl}/`);
    // Not again within 90 days.
    expect(await p.container.repos.invitations.createReconsent(p.tenant.id, person.id)).toBeNull();
  });
});

describe('record states', () => {
  it('a deprecated record: the link is deprecated with the primary iD, its webhook removed, and the person invited to connect the primary', async () => {
    const { researcher, link, person } = await connectedPerson();
    const primary = await newResearcher(sb.base);
    await control(sb.base, 'POST', `/researchers/${researcher.orcid}/state`, {
      state: 'deprecated',
      primary: primary.orcid,
    });
    expect(await p.container.sync.recordSync.sync(p.tenant.id, link.id)).toEqual({
      kind: 'deprecated',
      primary: primary.orcid,
    });
    expect(await p.container.repos.links.byId(p.tenant.id, link.id)).toMatchObject({
      status: 'deprecated',
      primary_orcid: primary.orcid,
    });
    expect(await feedKinds(link)).toContain('link.deprecated');
    const mail = await smtp.waitFor((m) => m.to.includes(person.email!) && /record was merged/.test(m.text));
    expect(mail.text).toContain(primary.orcid);
    expect(mail.text).toContain(`${p.tenantUrl}/`);
    await until('the webhook is unregistered', async () => {
      const state = await control<SandboxState>(sb.base, 'GET', '/state');
      return !state.webhooks.some((w) => w.orcid === researcher.orcid);
    });
  });

  it('a locked record pauses writes, and they resume once a read finds it unlocked', async () => {
    const { researcher, link, person } = await connectedPerson();
    await control(sb.base, 'POST', `/researchers/${researcher.orcid}/state`, { state: 'locked' });
    expect(await p.container.sync.recordSync.sync(p.tenant.id, link.id)).toMatchObject({
      kind: 'unavailable',
    });
    expect((await p.container.repos.links.byId(p.tenant.id, link.id))!.record_state).toBe('locked');
    expect(await feedKinds(link)).toContain('link.unavailable');

    const item = await p.container.intake.stateItem(p.tenant.id, person.local_id, {
      section: 'keywords',
      sourceKey: `kw-locked-${person.local_id}`,
      payload: { content: 'paused' },
    });
    const paused = await until('the write pauses', async () => {
      const i = await p.container.repos.items.byId(p.tenant.id, item.id);
      return i?.status === 'record_unavailable' && i;
    });
    expect(paused.status_detail).toContain('locked');

    await control(sb.base, 'POST', `/researchers/${researcher.orcid}/state`, { state: 'active' });
    expect(await p.container.sync.recordSync.sync(p.tenant.id, link.id)).toMatchObject({ kind: 'changed' });
    expect((await p.container.repos.links.byId(p.tenant.id, link.id))!.record_state).toBeNull();
    expect(await feedKinds(link)).toContain('link.available');
    await until('the paused write is made', async () => {
      const i = await p.container.repos.items.byId(p.tenant.id, item.id);
      return i?.status === 'in_orcid';
    });
  });
});

describe('token health', () => {
  it('a grant expiring within 30 days is announced once and the person asked to renew; once expired, the link ends and the portal asks again', async () => {
    const { link, person, web } = await connectedPerson();
    const setExpiry = (at: Date) =>
      p.db.db.updateTable('orcid_links').set({ expires_at: at }).where('id', '=', link.id).execute();
    await setExpiry(new Date(Date.now() + 10 * 86_400_000));
    expect(await p.container.sync.tokenHealth.run(p.tenant.id)).toMatchObject({ expiring: 1 });
    expect(await feedKinds(link)).toContain('link.expiring');
    const mail = await smtp.waitFor((m) => m.to.includes(person.email!) && /permission ends on/.test(m.text));
    expect(mail.text).toContain(`${p.tenantUrl}/`);
    // Told once.
    expect(await p.container.sync.tokenHealth.run(p.tenant.id)).toMatchObject({ expiring: 0 });

    const item = await p.container.intake.stateItem(p.tenant.id, person.local_id, {
      section: 'keywords',
      sourceKey: `kw-expiry-${person.local_id}`,
      payload: { content: 'expiring' },
    });
    await until(
      'written',
      async () => (await p.container.repos.items.byId(p.tenant.id, item.id))?.status === 'in_orcid',
    );
    await setExpiry(new Date(Date.now() - 1000));
    expect(await p.container.sync.tokenHealth.run(p.tenant.id)).toMatchObject({ expired: 1 });
    expect((await p.container.repos.links.byId(p.tenant.id, link.id))!.status).toBe('expired');
    expect(await p.container.repos.links.tokenOf(p.tenant.id, link.id)).toBeNull();
    expect(await feedKinds(link)).toContain('link.expired');
    // The portal asks the person to connect again.
    const page = (await web.get(`${p.tenantUrl}/`)).text;
    expect(page).toContain('id="connect-orcid"');
  });
});
