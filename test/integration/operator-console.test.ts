// The operator console (/operator/) against a real portal, worker, simulator and SMTP receiver:
// nobody but an operator reaches any of its routes (walked from the route table); an organisation
// is created through the same settings check as the CLI, every problem listed and nothing
// created when there is one; its administrator's invitation goes by mail and works once, until
// it expires; suspending stops the organisation's ORCID work and its portal and API say so until
// it is resumed; deleting revokes every token at ORCID, then deletes everything, audited; and the
// installation's health names the database, the workers, the ORCID environments and mail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationRemindersJob } from '../../src/jobs/invitation-reminders.job.js';
import { reconcileJob } from '../../src/jobs/reconcile.job.js';
import { tokenHealthJob } from '../../src/jobs/token-health.job.js';
import { lanyard } from '../helpers/cli.js';
import {
  connectInPortal,
  signInAsOperator,
  signInToPortal,
  startPortal,
  type TestPortal,
} from '../helpers/portal.js';
import { type Route, routeTable } from '../helpers/route-table.js';
import {
  clientTokens,
  control,
  newClient,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';
import { csrfOf, WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let smtp: TestSmtp;
let p: TestPortal;
let operator: WebClient;
let routes: Route[];

const tenantCount = async () =>
  Number((await p.db.pool.query('select count(*) as n from tenants')).rows[0].n);

/** The link of the last invitation mailed to `email`. */
async function invitationLink(email: string, nth = 1): Promise<string> {
  await until(
    () => smtp.messages.filter((m) => m.to.includes(email)).length >= nth,
    `the invitation to ${email}`,
  );
  const mail = smtp.messages.filter((m) => m.to.includes(email))[nth - 1]!;
  const link = /https?:\/\/\S+\/welcome\/[\w-]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no link in ${mail.text}`);
  return link;
}

async function createOrganisation(web: WebClient, form: Record<string, string>) {
  const page = await web.get(`${p.base}/operator/organisations/new`);
  return web.post(`${p.base}/operator/organisations`, { _csrf: csrfOf(page.text), ...form });
}

async function accept(link: string, web = new WebClient()) {
  const page = await web.get(link);
  // A refused link shows no form: the POST takes this browser's CSRF token from another page.
  const form = page.text.includes('name="_csrf"')
    ? page.text
    : (await web.get(`${p.base}/operator/sign-in`)).text;
  const res = await web.post(link, { _csrf: csrfOf(form) });
  return { web, page, res };
}

beforeAll(async () => {
  sb = await startTestSandbox();
  smtp = await startSmtp();
  p = await startPortal(sb.base, {
    worker: true,
    smtpUrl: smtp.url,
    configuredOperators: ['ops@config.example'],
  });
  operator = await signInAsOperator(p, 'ops@lanyard.example');
  routes = routeTable(p.app).filter(
    (r) => r.path.startsWith('/operator/') && !r.path.startsWith('/operator/sign'),
  );
}, 60_000);
afterAll(async () => {
  await p?.close();
  await smtp?.close();
  await sb?.close();
});

describe('who reaches the operator console', () => {
  it('refuses every operator route to visitors, researchers and organisation administrators, changing nothing', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(8);
    await p.container.repos.adminUsers.grant(p.tenant.id, 'OP-ISO-ADMIN', 'test');
    const admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'OP-ISO-ADMIN' }))).web;
    const researcher = (await signInToPortal(p, await p.addPerson())).web;
    const before = await tenantCount();
    for (const [who, web] of [
      ['visitor', new WebClient()],
      ['researcher', researcher],
      ['organisation administrator', admin],
    ] as const) {
      // A form from a page this visitor may see, so that CSRF is not what refuses them.
      const csrf = csrfOf((await web.get(`${p.base}/operator/sign-in`)).text);
      for (const r of routes) {
        const path = r.path.replace(':id', p.tenant.id);
        const res =
          r.method === 'GET'
            ? await web.get(`${p.base}${path}`)
            : await web.post(`${p.base}${path}`, {
                _csrf: csrf,
                confirm: p.tenant.slug,
                adminEmail: 'x@y.example',
              });
        expect([403, 404], `${who} ${r.method} ${path}: ${res.status}`).toContain(res.status);
        if (res.status === 403) expect(res.text).toContain('Operators only');
      }
    }
    expect(await tenantCount()).toBe(before);
    expect((await p.container.repos.tenants.byId(p.tenant.id))!.suspended_at).toBeNull();
  });

  it('refuses a wrong password and an address that is not an operator; a revoked operator is out at once', async () => {
    const web = new WebClient();
    const page = await web.get(`${p.base}/operator/sign-in`);
    const wrong = await web.post(`${p.base}/operator/sign-in/password`, {
      _csrf: csrfOf(page.text),
      username: 'ops@lanyard.example',
      password: 'not it',
    });
    expect(wrong.status).toBe(401);
    const gone = await signInAsOperator(p, 'leaving@lanyard.example');
    expect((await gone.get(`${p.base}/operator/`)).status).toBe(200);
    await p.container.operator.access.revoke('leaving@lanyard.example', 'test');
    expect((await gone.get(`${p.base}/operator/`)).status).toBe(403);
  });

  it('`lanyard operator grant|list|revoke` manage operators, audited', async () => {
    const env = { DATABASE_URL: p.db.url, LANYARD_KEYS: p.ring.format() };
    expect((await lanyard(['operator', 'grant', 'Cli.Op@Lanyard.example'], env)).code).toBe(0);
    const list = await lanyard(['operator', 'list'], { ...env, LANYARD_OPERATORS: 'ops@config.example' });
    expect(list.out).toContain('cli.op@lanyard.example\tgranted by cli');
    expect(list.out).toContain('ops@config.example\tgranted by LANYARD_OPERATORS');
    expect((await lanyard(['operator', 'grant', 'not-an-address'], env)).out).toContain(
      'expected an e-mail address',
    );
    expect((await lanyard(['operator', 'revoke', 'cli.op@lanyard.example'], env)).code).toBe(0);
    expect((await lanyard(['operator', 'revoke', 'cli.op@lanyard.example'], env)).code).not.toBe(0);
    const audits = await p.db.pool.query(
      `select action from audit_log where subject = 'cli.op@lanyard.example' order by created_at`,
    );
    expect(audits.rows.map((r) => r.action)).toEqual(['operator.granted', 'operator.revoked']);
  });
});

describe('creating an organisation and inviting its administrator', () => {
  it('lists every problem of a wrong form at once and creates nothing', async () => {
    const before = await tenantCount();
    const res = await createOrganisation(operator, {
      name: '',
      slug: 'Not A Slug',
      environment: 'moon',
      apiType: 'member',
      supportContact: '',
      adminEmail: 'nobody',
    });
    expect(res.status).toBe(422);
    for (const problem of [
      'name:',
      'slug: lowercase letters',
      'orcidEnvironment:',
      'supportContact:',
      'adminEmail:',
    ])
      expect(res.text).toContain(problem);
    // The form keeps what was typed.
    expect(res.text).toContain('value="Not A Slug"');
    const taken = await createOrganisation(operator, {
      name: 'Again',
      slug: p.tenant.slug,
      environment: 'sandbox',
      apiType: 'member',
      supportContact: 'help@again.example',
      adminEmail: 'a@again.example',
    });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain(`slug: ${p.tenant.slug} is already in use`);
    expect(await tenantCount()).toBe(before);
  });

  it('two operators creating the same address at once: one organisation, the other told the address is taken', async () => {
    const other = await signInAsOperator(p, 'ops2@lanyard.example');
    const form = {
      name: 'Race University',
      slug: 'race-uni',
      environment: 'sandbox',
      apiType: 'member',
      supportContact: 'help@race.example',
      adminEmail: 'admin@race.example',
    };
    const results = await Promise.all([createOrganisation(operator, form), createOrganisation(other, form)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(results.find((r) => r.status === 422)!.text).toContain('slug: race-uni is already in use');
    const rows = await p.db.pool.query(`select id from tenants where slug = 'race-uni'`);
    expect(rows.rows).toHaveLength(1);
    // One invitation, to the organisation that exists.
    const invitations = await p.db.pool.query('select tenant_id from admin_invitations where email = $1', [
      'admin@race.example',
    ]);
    expect(invitations.rows).toEqual([{ tenant_id: rows.rows[0].id }]);
  });

  it('refuses production while the redirect URI (from the public URL) is http', async () => {
    const res = await createOrganisation(operator, {
      name: 'Prod Uni',
      slug: 'prod-uni',
      environment: 'production',
      apiType: 'member',
      supportContact: 'help@prod.example',
      adminEmail: 'admin@prod.example',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('redirectUri: must be https in the production environment');
    expect(await p.container.repos.tenants.bySlug('prod-uni')).toBeUndefined();
  });

  it('creates the organisation without credentials, mails a single-use link, and makes its acceptor an administrator', async () => {
    const res = await createOrganisation(operator, {
      name: 'Invited University',
      slug: 'invited-uni',
      environment: 'local',
      apiType: 'member',
      supportContact: 'orcid@invited.example',
      adminEmail: 'Grace@Invited.example',
    });
    expect(res.status).toBe(303);
    const tenant = (await p.container.repos.tenants.bySlug('invited-uni'))!;
    expect(tenant).toMatchObject({ client_id: '', redirect_uri: `${p.base}/o/invited-uni/orcid/callback` });
    const orgPage = await operator.get(new URL(res.location!, p.base).href);
    expect(orgPage.text).toContain('Not entered yet');

    const link = await invitationLink('grace@invited.example');
    expect(link.startsWith(`${p.base}/o/invited-uni/welcome/`)).toBe(true);
    // The token is kept only as its hash once the mail is gone (the job records that it went a
    // moment after SMTP has the message).
    const invitation = async () =>
      (
        await p.db.pool.query('select token_sealed, sent_at from admin_invitations where tenant_id = $1', [
          tenant.id,
        ])
      ).rows[0];
    await until(async () => (await invitation()).sent_at !== null, 'the invitation recorded as sent');
    expect((await invitation()).token_sealed).toBe('');
    const token = link.split('/welcome/')[1]!;
    const kept = await p.db.pool.query('select text_body, html_body from mail_outbox where to_address = $1', [
      'grace@invited.example',
    ]);
    expect(kept.rows).toHaveLength(1);
    expect(JSON.stringify(kept.rows[0])).not.toContain(token);
    expect(kept.rows[0].text_body).toContain('[link sent by mail, not kept]');

    // Opening the link (as a mail scanner would) changes nothing; accepting signs in on the settings.
    const { web, page, res: accepted } = await accept(link);
    expect(page.text).toContain('grace@invited.example');
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe(`${p.base}/o/invited-uni/admin/settings`);
    const settings = await web.get(`${p.base}/o/invited-uni/admin/settings`);
    expect(settings.status).toBe(200);
    expect(settings.text).toContain('you are an administrator');
    // Until the credentials are entered, the portal says so instead of offering Connect.
    const home = await web.get(`${p.base}/o/invited-uni/`);
    expect(home.text).toContain('id="orcid-not-ready"');
    expect(home.text).not.toContain('id="connect-orcid"');
    const connect = await web.post(`${p.base}/o/invited-uni/connect`, { _csrf: csrfOf(home.text) });
    expect(connect.status).toBe(409);

    // Used once: the same link, in another browser, is refused and signs nobody in.
    const again = await accept(link);
    expect(again.page.status).toBe(410);
    expect(again.res.status).toBe(410);
    expect(again.res.text).toContain('already been used');
    expect((await again.web.get(`${p.base}/o/invited-uni/admin/settings`)).status).toBe(401);

    // The link names its organisation: under another organisation's address it is unknown.
    expect((await new WebClient().get(link.replace('/o/invited-uni/', `/o/${p.tenant.slug}/`))).status).toBe(
      404,
    );

    const audits = await p.db.pool.query(
      `select action from audit_log where tenant_id = $1 order by created_at`,
      [tenant.id],
    );
    expect(audits.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['tenant.created', 'admin.invited', 'admin.invitation_accepted']),
    );
  });

  it('one link accepted from two browsers at once signs in one of them only', async () => {
    const tenant = (await p.container.repos.tenants.bySlug('invited-uni'))!;
    const link = await invitationLinkFor(tenant.id, 'twice@invited.example');
    const browsers = [new WebClient(), new WebClient()];
    const csrfs = await Promise.all(browsers.map(async (b) => csrfOf((await b.get(link)).text)));
    const results = await Promise.all(browsers.map((b, i) => b.post(link, { _csrf: csrfs[i]! })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    const signedIn = await Promise.all(
      browsers.map(async (b) => (await b.get(`${p.base}/o/invited-uni/admin/settings`)).status),
    );
    expect(signedIn.sort()).toEqual([200, 401]);
  });

  it('refuses an expired invitation', async () => {
    const tenant = (await p.container.repos.tenants.bySlug('invited-uni'))!;
    const page = await operator.get(`${p.base}/operator/organisations/${tenant.id}`);
    const res = await operator.post(`${p.base}/operator/organisations/${tenant.id}/invite`, {
      _csrf: csrfOf(page.text),
      adminEmail: 'late@invited.example',
    });
    expect(res.status).toBe(303);
    const link = await invitationLink('late@invited.example');
    await p.db.pool.query(
      `update admin_invitations set expires_at = now() - interval '1 minute' where email = 'late@invited.example'`,
    );
    const { res: refused } = await accept(link);
    expect(refused.status).toBe(410);
    expect(refused.text).toContain('has expired');
    expect(await p.container.repos.adminUsers.isAdmin(tenant.id, 'late@invited.example')).toBe(false);
  });

  it('shows the credentials as valid once the administrator has entered them and passed Test connection', async () => {
    const tenant = (await p.container.repos.tenants.bySlug('invited-uni'))!;
    const { web } = await accept(await invitationLinkFor(tenant.id, 'second@invited.example'));
    const client = await newClient(sb.base, { redirectUris: [p.base] });
    const settingsUrl = `${p.base}/o/invited-uni/admin/settings`;
    // The secret without the id (and the id without the secret) is refused.
    const half = await web.post(`${settingsUrl}/orcid`, {
      _csrf: csrfOf((await web.get(settingsUrl)).text),
      environment: 'local',
      apiType: 'member',
      clientId: client.clientId,
      scopes: '/read-limited',
    });
    expect(half.status).toBe(422);
    expect(half.text).toContain('clientSecret: is required with the client id');
    const saved = await web.post(`${settingsUrl}/orcid`, {
      _csrf: csrfOf((await web.get(settingsUrl)).text),
      environment: 'local',
      apiType: 'member',
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scopes: '/read-limited',
    });
    expect(saved.status).toBe(303);
    await web.post(`${settingsUrl}/test`, { _csrf: csrfOf((await web.get(settingsUrl)).text) });
    const list = await operator.get(`${p.base}/operator/`);
    const row = /<tr data-slug="invited-uni">[\s\S]*?<\/tr>/.exec(list.text)![0];
    expect(row).toContain('Valid at the last test');
  });

  it('shows what ORCID made of the credentials in ordinary work: accepted, refused once reset at ORCID, untested once replaced', async () => {
    const t = await p.addTenant({ slug: 'reset-uni', name: 'Reset University' });
    const tenantUrl = `${p.base}/o/reset-uni`;
    const clientId = (await p.db.pool.query('select client_id from tenants where id = $1', [t.id])).rows[0]
      .client_id as string;
    const credentials = async () => {
      const list = await operator.get(`${p.base}/operator/`);
      return /<tr data-slug="reset-uni">[\s\S]*?<\/tr>/.exec(list.text)![0];
    };
    const connect = async (employeeId: string) => {
      const { web } = await signInToPortal({ tenantUrl }, await p.addPerson({ employeeId }, t.id));
      return connectInPortal({ tenantUrl }, sb.base, web, (await newResearcher(sb.base)).orcid);
    };
    expect(await credentials()).toContain('Entered, not tested');

    // A researcher connects: ORCID accepted the client at the code exchange.
    expect((await connect('RESET-1')).status).toBe(303);
    expect(await credentials()).toContain('Accepted by ORCID at the last token exchange');

    // The member resets the secret at ORCID: the next exchange is refused, and that shows.
    const reset = await control<{ clientSecret: string }>(sb.base, 'POST', `/clients/${clientId}/secret`);
    expect((await connect('RESET-2')).status).not.toBe(303);
    expect(await credentials()).toContain('Refused by ORCID at the last token exchange');

    // The new secret entered: nothing is known of it until it is tested or used.
    const current = (await p.container.repos.tenants.byId(t.id))!;
    const saved = await p.container.tenantSettings.update(
      current,
      { clientSecret: reset.clientSecret },
      'test',
    );
    expect(saved.ok).toBe(true);
    expect(await credentials()).toContain('Entered, not tested');
    expect((await connect('RESET-3')).status).toBe(303);
    expect(await credentials()).toContain('Accepted by ORCID at the last token exchange');
  });
});

/** Invites `email` to the organisation from its operator page and returns the mailed link. */
async function invitationLinkFor(tenantId: string, email: string) {
  const page = await operator.get(`${p.base}/operator/organisations/${tenantId}`);
  await operator.post(`${p.base}/operator/organisations/${tenantId}/invite`, {
    _csrf: csrfOf(page.text),
    adminEmail: email,
  });
  return invitationLink(email);
}

async function operatorAction(tenantId: string, action: string, form: Record<string, string> = {}) {
  const page = await operator.get(`${p.base}/operator/organisations/${tenantId}`);
  return operator.post(`${p.base}/operator/organisations/${tenantId}/${action}`, {
    _csrf: csrfOf(page.text),
    ...form,
  });
}

describe('suspending, resuming and deleting', () => {
  it('stops ORCID work while suspended (the portal and the API say so) and carries on once resumed', async () => {
    const t = await p.addTenant({ slug: 'pause-uni', name: 'Pause University' });
    const ada = await newResearcher(sb.base);
    const { web } = await signInToPortal(
      { tenantUrl: `${p.base}/o/pause-uni` },
      await p.addPerson({ employeeId: 'PAUSE-1' }, t.id),
    );
    await connectInPortal({ tenantUrl: `${p.base}/o/pause-uni` }, sb.base, web, ada.orcid);
    const key = await p.container.apiKeys.create(t.id, 'pause', 'test');

    expect((await operatorAction(t.id, 'suspend')).status).toBe(303);
    const portal = await web.get(`${p.base}/o/pause-uni/`);
    expect(portal.status).toBe(503);
    expect(portal.text).toContain('is suspended');
    expect(portal.text).toContain('orcid@test.example.edu');
    const api = await fetch(`${p.base}/api/v1/people`, { headers: { authorization: `Bearer ${key.key}` } });
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: string }).error).toBe('suspended');

    const item = await p.container.intake.stateItem(t.id, 'PAUSE-1', {
      section: 'employment',
      sourceKey: 'pause-emp',
      payload: { 'role-title': 'Paused', 'start-date': { year: { value: '2021' } } },
    });
    await new Promise((r) => setTimeout(r, 2500));
    // Not even taken by the scheduler (no claim), let alone sent.
    expect(await p.container.repos.items.byId(t.id, item.id)).toMatchObject({ status: 'queued', claims: 0 });

    expect((await operatorAction(t.id, 'resume')).status).toBe(303);
    expect((await web.get(`${p.base}/o/pause-uni/`)).status).toBe(200);
    await until(
      async () => (await p.container.repos.items.byId(t.id, item.id))!.status === 'in_orcid',
      'the item written after resuming',
    );
    const audits = await p.db.pool.query(
      `select action from audit_log where tenant_id = $1 and action like 'tenant.%'`,
      [t.id],
    );
    expect(audits.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['tenant.suspended', 'tenant.resumed']),
    );
  });

  it('the scheduled sweeps pass a suspended organisation by (renewals, reminders, re-reads), and take it up once resumed', async () => {
    const t = await p.addTenant({ slug: 'quiet-uni', name: 'Quiet University' });
    const tenantUrl = `${p.base}/o/quiet-uni`;
    const { web } = await signInToPortal({ tenantUrl }, await p.addPerson({ employeeId: 'QUIET-1' }, t.id));
    await connectInPortal({ tenantUrl }, sb.base, web, (await newResearcher(sb.base)).orcid);
    const link = async () =>
      (
        await p.db.pool.query(
          'select sync_due_at, sync_reason, expiry_notified_at from orcid_links where tenant_id = $1',
          [t.id],
        )
      ).rows[0];
    await until(async () => (await link()).sync_due_at === null, "the connection's first read");
    // Its grant ends within 30 days and its record has not been read for over a year.
    await p.db.pool.query(
      `update orcid_links set expires_at = now() + interval '10 days', synced_at = now() - interval '400 days'
       where tenant_id = $1`,
      [t.id],
    );
    // Someone else was invited to connect 20 days ago and has not.
    const other = await p.container.repos.people.upsertByLocalId(t.id, 'QUIET-2', {
      email: 'q2@quiet.example',
    });
    await p.container.inviter.invite(t.id, [other.id]);
    await until(
      async () =>
        ((
          await p.db.pool.query('select 1 from invitations where tenant_id = $1 and sent_at is not null', [
            t.id,
          ])
        ).rowCount ?? 0) > 0,
      'the invitation sent',
    );
    await p.db.pool.query(
      `update invitations set sent_at = now() - interval '20 days' where tenant_id = $1`,
      [t.id],
    );
    const reminders = async () =>
      Number(
        (
          await p.db.pool.query(
            `select reminders_sent from invitations where tenant_id = $1 and kind = 'connect'`,
            [t.id],
          )
        ).rows[0].reminders_sent,
      );
    const sweep = async () => {
      const job = { id: 'test', retryCount: 0, finalAttempt: true };
      await tokenHealthJob.handle(p.container, {}, job);
      await reconcileJob.handle(p.container, {}, job);
      await invitationRemindersJob.handle(p.container, {}, job);
    };

    expect((await operatorAction(t.id, 'suspend')).status).toBe(303);
    await sweep();
    expect(await link()).toMatchObject({ sync_due_at: null, expiry_notified_at: null });
    expect(await reminders()).toBe(0);

    expect((await operatorAction(t.id, 'resume')).status).toBe(303);
    await sweep();
    const after = await link();
    expect(after.expiry_notified_at).not.toBeNull();
    expect(after.sync_reason).toBe('reconcile');
    expect(await reminders()).toBe(1);
  });

  it('deletes an organisation only once its address is typed: tokens revoked at ORCID, every row gone, audited', async () => {
    const t = await p.addTenant({ slug: 'gone-uni', name: 'Gone University' });
    const client = (await p.db.pool.query('select client_id from tenants where id = $1', [t.id])).rows[0]
      .client_id;
    const people = [await newResearcher(sb.base), await newResearcher(sb.base)];
    for (const [i, r] of people.entries()) {
      const { web } = await signInToPortal(
        { tenantUrl: `${p.base}/o/gone-uni` },
        await p.addPerson({ employeeId: `GONE-${i}` }, t.id),
      );
      await connectInPortal({ tenantUrl: `${p.base}/o/gone-uni` }, sb.base, web, r.orcid);
    }
    const wrong = await operatorAction(t.id, 'delete', { confirm: 'gone' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('confirm: type gone-uni');
    expect(await p.container.repos.tenants.byId(t.id)).toBeDefined();

    expect((await operatorAction(t.id, 'delete', { confirm: 'gone-uni' })).status).toBe(303);
    await until(
      async () => (await p.container.repos.tenants.byId(t.id)) === undefined,
      'the organisation deleted',
    );
    for (const r of people) {
      const tokens = await clientTokens(sb.base, r.orcid, client);
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.every((x) => x.disabled)).toBe(true);
    }
    for (const table of ['people', 'orcid_links', 'items', 'audit_log', 'orcid_calls', 'api_keys'])
      expect(
        Number(
          (await p.db.pool.query(`select count(*) as n from ${table} where tenant_id = $1`, [t.id])).rows[0]
            .n,
        ),
      ).toBe(0);
    const audit = await p.db.pool.query(
      `select action, details from audit_log where tenant_id is null and subject = 'gone-uni' order by created_at`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['tenant.deletion_requested', 'tenant.deleted']);
    expect(audit.rows[1].details).toMatchObject({ tokensRevoked: 2 });
    expect((await new WebClient().get(`${p.base}/o/gone-uni/`)).status).toBe(404);
  });

  it('deletes an organisation whose client ORCID refuses, counting the tokens it could not revoke', async () => {
    const t = await p.addTenant({ slug: 'refused-uni', name: 'Refused University' });
    const client = (await p.db.pool.query('select client_id from tenants where id = $1', [t.id])).rows[0]
      .client_id as string;
    const people = [await newResearcher(sb.base), await newResearcher(sb.base)];
    for (const [i, r] of people.entries()) {
      const { web } = await signInToPortal(
        { tenantUrl: `${p.base}/o/refused-uni` },
        await p.addPerson({ employeeId: `REFUSED-${i}` }, t.id),
      );
      await connectInPortal({ tenantUrl: `${p.base}/o/refused-uni` }, sb.base, web, r.orcid);
    }
    await control(sb.base, 'POST', `/clients/${client}/secret`);

    expect((await operatorAction(t.id, 'delete', { confirm: 'refused-uni' })).status).toBe(303);
    await until(
      async () => (await p.container.repos.tenants.byId(t.id)) === undefined,
      'the organisation deleted',
    );
    for (const r of people)
      expect((await clientTokens(sb.base, r.orcid, client)).some((x) => !x.disabled)).toBe(true);
    const audit = await p.db.pool.query(
      `select details from audit_log where tenant_id is null and subject = 'refused-uni' and action = 'tenant.deleted'`,
    );
    expect(audit.rows[0].details).toMatchObject({
      tokensRevoked: 0,
      tokensAlreadyVoid: 0,
      tokensNotRevokedClientRefused: 2,
    });
  });
});

describe('health', () => {
  it('lists each organisation with its health: its last failed ORCID call, its queued work', async () => {
    const t = await p.addTenant({ slug: 'health-uni', name: 'Health University' });
    const call = (status: number | null, error: string | null, minutesAgo: number) =>
      p.db.pool.query(
        `insert into orcid_calls (tenant_id, method, url, status, error, duration_ms, created_at)
         values ($1, 'GET', 'https://api.orcid.example/v3.0/x/record', $2, $3, 5, now() - make_interval(mins => $4))`,
        [t.id, status, error, minutesAgo],
      );
    await call(200, null, 1);
    await call(503, null, 30);
    await call(null, 'connect ETIMEDOUT', 10);
    await call(500, null, 60 * 24 * 8); // older than the 7 days shown
    const res = await operator.get(`${p.base}/operator/`);
    expect(res.status).toBe(200);
    const row = (slug: string) => new RegExp(`<tr data-slug="${slug}">[\\s\\S]*?</tr>`).exec(res.text)![0];
    expect(row(p.tenant.slug)).toContain('Active');
    expect(row(p.tenant.slug)).toContain('Entered, not tested');
    expect(row('health-uni')).toContain('connect ETIMEDOUT');
    const page = await operator.get(`${p.base}/operator/organisations/${t.id}`);
    expect(page.text).toMatch(/id="last-error">[^<]*connect ETIMEDOUT/);
    await p.db.pool.query(`delete from orcid_calls where tenant_id = $1 and status is null`, [t.id]);
    const again = await operator.get(`${p.base}/operator/organisations/${t.id}`);
    expect(again.text).toMatch(/id="last-error">[^<]* 503 /);
    await p.db.pool.query(`delete from orcid_calls where tenant_id = $1 and status = 503`, [t.id]);
    const old = await operator.get(`${p.base}/operator/organisations/${t.id}`);
    expect(old.text).toContain('id="last-error">none<');
  });

  it("names the installation's database, queue, workers, ORCID environments and mail", async () => {
    const res = await operator.get(`${p.base}/operator/health`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/id="database">OK</);
    expect(res.text).toMatch(/id="queue">OK</);
    expect(res.text).toContain('The SMTP server answers');
    expect(res.text).toMatch(/<table id="workers">[\s\S]*?\(\d+\)/);
    expect(res.text).toMatch(/<tr data-environment="local">[\s\S]*?OK/);
  });
});
