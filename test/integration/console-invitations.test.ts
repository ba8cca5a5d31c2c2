// Invitations in the console, with the worker and a real SMTP receiver: the organisation sets its
// reminder policy (audited; a bad one refused); a person who has not connected gets each reminder
// when it is due, marked as a reminder, and no more than the policy says, then their invitation
// shows as expired; a person who connected gets none. The list shows every state and filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueReminders } from '../../src/services/invitation.service.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let smtp: TestSmtp;
let p: TestPortal;
let admin: WebClient;
let page: string;

const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
const sweep = () => sendDueReminders(p.container.repos.invitations, p.container.queues.invitationMail);
/**
 * As if the last invitation or reminder to the address had gone out `days` ago (once the mail
 * job has recorded that it went: the message reaches SMTP a moment before).
 */
async function sentAgo(email: string, days: number) {
  await until(
    async () =>
      ((await p.db.pool.query('select 1 from invitations where email = $1 and sent_at is not null', [email]))
        .rowCount ?? 0) > 0,
    `the send to ${email} recorded`,
  );
  await p.db.pool.query(
    `update invitations set sent_at = now() - make_interval(days => $2) where email = $1`,
    [email, days],
  );
}

/** The state the invitations page shows for the invitation to that address. */
const stateOf = async (email: string) => {
  const rows = (await admin.get(page)).text.split('<tr data-invitation=').slice(1);
  const row = rows.find((r) => r.includes(`<td>${email}</td>`));
  return row ? /data-state="([a-z]+)"/.exec(row)?.[1] : undefined;
};

async function invite(localId: string, email: string) {
  await p.container.repos.people.upsertByLocalId(p.tenant.id, localId, { email, givenNames: localId });
  await p.container.intake.stateItem(p.tenant.id, localId, {
    section: 'employment',
    sourceKey: `${localId}-emp`,
    payload: { 'role-title': 'Invitee', 'start-date': { year: { value: '2024' } } },
  });
  await until(() => mailsTo(email).length === 1, `the invitation to ${email}`);
}

beforeAll(async () => {
  sb = await startTestSandbox();
  smtp = await startSmtp();
  p = await startPortal(sb.base, { worker: true, smtpUrl: smtp.url });
  page = `${p.tenantUrl}/admin/invitations`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'IN-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'IN-ADMIN' }))).web;
}, 60_000);
afterAll(async () => {
  await p?.close();
  await smtp?.close();
  await sb?.close();
});

describe('invitations and reminders', () => {
  it('sets the reminder policy, audited, and refuses a bad one', async () => {
    const form = await admin.get(page);
    expect(form.text).toContain('value="2"');
    expect(form.text).toContain('value="14"');
    const bad = await admin.post(`${page}/settings`, {
      _csrf: csrfOf(form.text),
      reminders: '-1',
      everyDays: '3',
      language: 'en',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('reminders');
    const ok = await admin.post(`${page}/settings`, {
      _csrf: csrfOf(form.text),
      reminders: '2',
      everyDays: '3',
      language: 'en',
    });
    expect(ok.status).toBe(303);
    const after = await admin.get(page);
    expect(after.text).toContain('The reminder settings are saved.');
    expect(after.text).toContain('value="3"');
    const audit = await p.db.pool.query(
      `select details from audit_log where tenant_id = $1 and action = 'invitations.settings_changed'`,
      [p.tenant.id],
    );
    expect(audit.rows[0].details).toEqual({
      before: { reminders: 2, everyDays: 14, language: 'en', orcidInbox: false },
      after: { reminders: 2, everyDays: 3, language: 'en', orcidInbox: false },
    });
  });

  it('reminds a person who has not connected when each reminder is due, then stops: expired', async () => {
    await invite('IN-1', 'in1@inv.example.org');
    expect(await sweep()).toBe(0);
    expect(await stateOf('in1@inv.example.org')).toBe('sent');
    await sentAgo('in1@inv.example.org', 2);
    expect(await sweep()).toBe(0);
    await sentAgo('in1@inv.example.org', 4);
    expect(await sweep()).toBe(1);
    await until(() => mailsTo('in1@inv.example.org').length === 2, 'the first reminder');
    const reminder = mailsTo('in1@inv.example.org')[1]!;
    expect(reminder.text).toContain(`Reminder: ${p.tenant.name}: connect your ORCID iD`);
    expect(reminder.text).toContain('have not connected your ORCID iD');
    await sentAgo('in1@inv.example.org', 4);
    expect(await sweep()).toBe(1);
    await until(() => mailsTo('in1@inv.example.org').length === 3, 'the second reminder');
    await sentAgo('in1@inv.example.org', 4);
    expect(await sweep()).toBe(0);
    expect(mailsTo('in1@inv.example.org')).toHaveLength(3);
    expect(await stateOf('in1@inv.example.org')).toBe('expired');
    const expired = await admin.get(`${page}?state=expired`);
    expect(expired.text).toContain('in1@inv.example.org');
    expect((await admin.get(`${page}?state=connected`)).text).not.toContain('in1@inv.example.org');
  });

  it('does not remind a person who connected since', async () => {
    await invite('IN-2', 'in2@inv.example.org');
    const { web } = await signInToPortal(
      p,
      await p.addPerson({ employeeId: 'IN-2', email: 'in2@inv.example.org' }),
    );
    expect((await connectInPortal(p, sb.base, web, (await newResearcher(sb.base)).orcid)).status).toBe(303);
    await sentAgo('in2@inv.example.org', 10);
    expect(await sweep()).toBe(0);
    expect(mailsTo('in2@inv.example.org')).toHaveLength(1);
    expect(await stateOf('in2@inv.example.org')).toBe('connected');
    expect((await admin.get(`${page}?state=bogus`)).status).toBe(400);
  });

  it('sends the organisation’s own message in the chosen language, refuses a broken one, and sends a test', async () => {
    const form = await admin.get(`${page}?template=es`);
    const csrf = csrfOf(form.text);
    const broken = await admin.post(`${page}/template`, {
      _csrf: csrf,
      language: 'es',
      subject: 'Conecte su ORCID iD',
      body: 'Hola {{name}}',
    });
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('{{name}} is not a placeholder');
    expect(broken.text).toContain('must contain {{portalUrl}}');
    const saved = await admin.post(`${page}/template`, {
      _csrf: csrf,
      language: 'es',
      subject: '{{organisation}}: conecte su ORCID iD',
      body: 'Hola {{givenNames}}:\n\nTenemos {{items}} elementos para su registro ORCID.\n\n{{portalUrl}}\n\nDudas: {{supportContact}}',
    });
    expect(saved.status).toBe(303);
    expect((await admin.get(saved.location!)).text).toContain('The message is saved.');
    await admin.post(`${page}/settings`, { _csrf: csrf, reminders: '2', everyDays: '3', language: 'es' });

    await invite('IN-3', 'in3@inv.example.org');
    const mail = mailsTo('in3@inv.example.org')[0]!;
    expect(mail.text).toContain(`Subject: ${p.tenant.name}: conecte su ORCID iD`);
    expect(mail.text).toContain('Hola IN-3:');
    expect(mail.text).toContain('Tenemos 1 elementos');
    expect(mail.text).toContain(`${p.tenantUrl}/?lang=es`);

    // The administrator's test arrives at their address (they have one).
    await p.db.pool.query(`update people set email = 'admin@inv.example.org' where local_id = 'IN-ADMIN'`);
    const test = await admin.post(`${page}/test`, { _csrf: csrf });
    expect((await admin.get(test.location!)).text).toContain(
      'A test invitation was sent to admin@inv.example.org',
    );
    await until(() => mailsTo('admin@inv.example.org').length === 1, 'the test invitation');
    expect(mailsTo('admin@inv.example.org')[0]!.text).toContain('conecte su ORCID iD');

    const reset = await admin.post(`${page}/template`, { _csrf: csrf, language: 'es', reset: 'yes' });
    expect((await admin.get(reset.location!)).text).toContain('The built-in message is used again.');
    const audit = await p.db.pool.query(
      `select action from audit_log where tenant_id = $1 and action like 'invitations.%' order by id`,
      [p.tenant.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'invitations.settings_changed',
      'invitations.template_changed',
      'invitations.settings_changed',
      'invitations.test_sent',
      'invitations.template_changed',
    ]);
  });
});
