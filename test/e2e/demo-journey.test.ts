// `npm start`'s demo walked in headless Chromium: a researcher signs in through the demo
// directory, connects the iD in the simulator's pages, sees it displayed, disconnects (the
// simulator shows the token revoked) and reconnects; another denies; a third signs in to ORCID
// with an iD that is already someone else's. axe-core checks every portal page on the way.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yProblems } from '../helpers/axe.js';
import { launchChromium } from '../helpers/browser.js';
import { type DemoProcess, spawnDemo } from '../helpers/demo-process.js';
import { control } from '../helpers/sandbox.js';

const ADA = '0000-0002-1825-0097';
let demo: DemoProcess;
let portal: string;
let orcid: string;
let browser: Browser;
const a11y: Array<{ page: string; problems: unknown[] }> = [];

beforeAll(async () => {
  demo = await spawnDemo();
  ({ portal, orcid } = demo);
  expect(demo.output).toContain('ada / password');
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/**
 * A screenshot of a console page for docs/console.md: written to docs/images/ when
 * LANYARD_DOC_SCREENSHOTS is set (then committed), else to test-results/ (not kept).
 */
async function screenshot(page: Page, name: string) {
  const dir = process.env.LANYARD_DOC_SCREENSHOTS ? 'docs/images' : 'test-results/screenshots';
  await page.screenshot({ path: `${dir}/console-${name}.png`, fullPage: false });
}

async function checkA11y(page: Page, name: string) {
  a11y.push({ page: name, problems: await seriousA11yProblems(page) });
}

async function portalSignIn(page: Page, username: string) {
  await page.goto(portal);
  await checkA11y(page, 'sign-in');
  await page.fill('#username', username);
  await page.fill('#password', 'password');
  await page.click('#signin-button');
  await page.waitForSelector('#connect-orcid');
}

/** At ORCID: prompt=login always shows the sign-in page first. */
async function orcidSignIn(page: Page, email: string) {
  await page.waitForURL(`${orcid}/**`);
  await page.fill('#username', email);
  await page.fill('#password', 'password');
  await page.click('#signin-button');
}

/** The demo organisation's tokens for the iD at ORCID: those people granted, and the sync engine's read tokens. */
const allTokensOf = async (id: string) => {
  const s = await control<{
    researchers: Array<{
      orcid: string;
      tokens: Array<{ clientId: string; scope: string; disabled: boolean }>;
    }>;
  }>(orcid, 'GET', '/state');
  return s.researchers
    .find((r) => r.orcid === id)!
    .tokens.filter((t) => t.clientId === 'APP-LANYARDDEMO00001');
};
/** The tokens people granted (the sync engine's /read-limited tokens are issued from them). */
const tokensOf = async (id: string) => (await allTokensOf(id)).filter((t) => t.scope !== '/read-limited');

describe('the demo in Chromium', () => {
  it('connect, display, disconnect (revoked at ORCID), reconnect', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await portalSignIn(page, 'ada');
    await checkA11y(page, 'connect');
    await page.click('#connect-orcid');
    await orcidSignIn(page, 'ada@example.org');
    await page.click('#authorize-button');
    await page.waitForURL(`${portal}**`);
    const id = page.locator(`a.orcid-id[href="${orcid}/${ADA}"] span`);
    await expect(id.textContent()).resolves.toBe(`${orcid}/${ADA}`);
    await expect(page.locator('a.orcid-id svg').getAttribute('aria-label')).resolves.toBe('ORCID logo');
    expect(await page.textContent('main')).toContain('your ORCID iD is now connected');
    await checkA11y(page, 'connected');

    await page.goto(`${portal}people`);
    expect(await page.textContent('main')).toContain('Ada Lovelace');
    await checkA11y(page, 'public list');
    const api = await (await fetch(`${portal}api/people/E1001`)).json();
    expect(api).toMatchObject({ orcid: ADA, name: 'Ada Lovelace', authenticated: true });

    await page.goto(portal);
    await page.click('#disconnect-orcid');
    await page.waitForSelector('#connect-orcid');
    expect(await page.textContent('main')).toContain(`Your ORCID iD ${ADA} is disconnected`);
    expect((await tokensOf(ADA)).map((t) => t.disabled)).toEqual([true]);
    // The read token the sync engine was issued from it is revoked too.
    expect((await allTokensOf(ADA)).every((t) => t.disabled)).toBe(true);
    // Ada's account settings at ORCID no longer list the organisation.
    await page.goto(`${orcid}/account`);
    expect(await page.textContent('main')).toContain('You have not granted any organization access');

    await page.goto(portal);
    await page.click('#connect-orcid');
    await orcidSignIn(page, 'ada@example.org');
    await page.click('#authorize-button');
    await page.waitForSelector('#disconnect-orcid');
    expect((await tokensOf(ADA)).map((t) => t.disabled)).toEqual([true, false]);
  }, 60_000);

  it('deny lands on an explanation with a way to try again, in the chosen language', async () => {
    const page = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
    await portalSignIn(page, 'alan');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await page.click('#connect-orcid');
    // lang was passed on to ORCID.
    expect(new URL(page.url()).searchParams.get('lang') ?? page.url()).toContain('fr');
    await orcidSignIn(page, 'alan@example.org');
    await page.click('#deny-button');
    await page.waitForSelector('#problem');
    expect(await page.getAttribute('#problem', 'data-problem')).toBe('denied');
    expect(await page.textContent('#problem')).toContain('Vous avez choisi de ne pas donner');
    expect(await page.textContent('footer')).toContain('orcid-support@demo.example.edu');
    await checkA11y(page, 'problem (fr)');
  }, 60_000);

  it('an iD already connected to someone else is refused, and its new token revoked', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await portalSignIn(page, 'grace');
    await page.click('#connect-orcid');
    await orcidSignIn(page, 'ada@example.org');
    // Ada granted these scopes before: ORCID may skip its consent page.
    await page.waitForSelector('#authorize-button, #problem');
    if (await page.$('#authorize-button')) await page.click('#authorize-button');
    await page.waitForSelector('#problem');
    expect(await page.getAttribute('#problem', 'data-problem')).toBe('id_linked_elsewhere');
    expect((await tokensOf(ADA)).map((t) => t.disabled)).toEqual([true, false, true]);
  }, 60_000);

  it('Sign in with ORCID: a connected iD signs its person in; an iD connected to nobody is told so', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await page.goto(portal);
    await page.click('form[action$="/signin/orcid"] button');
    await orcidSignIn(page, 'ada@example.org');
    await page.waitForSelector('#authorize-button, #disconnect-orcid');
    if (await page.$('#authorize-button')) await page.click('#authorize-button');
    await page.waitForSelector('#disconnect-orcid');
    expect(await page.textContent('main')).toContain('Signed in as Ada Lovelace');

    const stranger = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await stranger.goto(portal);
    await stranger.click('form[action$="/signin/orcid"] button');
    await orcidSignIn(stranger, 'alan@example.org');
    await stranger.waitForSelector('#authorize-button, .problem');
    if (await stranger.$('#authorize-button')) await stranger.click('#authorize-button');
    await stranger.waitForSelector('.problem');
    expect(await stranger.textContent('.problem')).toContain('is not connected to an account');
    await checkA11y(stranger, 'sign-in refused');
  }, 60_000);

  it('the administrator uploads affiliations: counts update live, the invitee is mailed, the result downloads', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB', acceptDownloads: true })).newPage();
    await page.goto(`${portal}admin/`);
    expect(await page.textContent('main')).toContain('sign in on the portal');
    await portalSignIn(page, 'grace');
    await page.goto(`${portal}admin/`);
    await checkA11y(page, 'admin uploads');
    await page.setInputFiles('#file', 'docs/examples/affiliations.csv');
    await page.click('button[type=submit].btn');
    await page.waitForURL(`${portal}admin/uploads/**`);
    await checkA11y(page, 'admin upload');
    // Ada is connected: her two rows reach ORCID; the island refreshes the counts without a reload.
    await page.waitForSelector('strong[data-status="in_orcid"]:text-is("2")', { timeout: 20_000 });
    expect(await page.textContent('strong[data-status="pending"]')).toBe('2');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    expect(download.suggestedFilename()).toBe('affiliations-result.csv');

    // Alan has not connected: he is invited, and the demo's outbox shows the mail.
    const outbox = await (await browser.newContext()).newPage();
    for (let i = 0; i < 50 && !(await outbox.textContent('body'))?.includes('alan@demo.example.edu'); i++) {
      await outbox.goto(new URL('/outbox', portal).href);
      await outbox.waitForTimeout(200);
    }
    expect(await outbox.textContent('main')).toContain('Lanyard Demo University: connect your ORCID iD');
  }, 60_000);

  it('the administrator finds Ada in the people list and disconnects her from the console: revoked at ORCID', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await portalSignIn(page, 'grace');
    await page.goto(`${portal}admin/people`);
    await checkA11y(page, 'console people');
    await page.fill('#q', 'lovelace');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=lovelace/);
    await page.click('#people a:text-is("Ada Lovelace")');
    await page.waitForSelector('#links');
    expect(await page.textContent('#links')).toContain(ADA);
    await checkA11y(page, 'console person');
    await page.click('#disconnect');
    await page.waitForSelector('#flash');
    expect(await page.textContent('#flash')).toContain('The connection is ended');
    expect((await allTokensOf(ADA)).every((t) => t.disabled)).toBe(true);
    expect(await page.getAttribute('tr[data-link-status]', 'data-link-status')).toBe('revoked');
    // The same page in Spanish.
    await page.goto(`${portal}admin/people?lang=es&link=revoked`);
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.textContent('#people')).toContain('desconectada');
    await checkA11y(page, 'console people (es)');
  }, 60_000);

  it('the administrator asks Ada again through her ORCID inbox; she grants there and is connected again', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await portalSignIn(page, 'grace');
    await page.goto(`${portal}admin/invitations`);
    await page.check('#orcid-inbox');
    await page.click('#save-reminders');
    await page.waitForSelector('#flash');
    await page.goto(`${portal}admin/people?q=lovelace`);
    await page.click('#people a:text-is("Ada Lovelace")');
    await page.click('#inbox-request');
    await page.waitForSelector('#flash');
    expect(await page.textContent('#flash')).toContain("The request is in the person's ORCID inbox.");
    expect(await page.textContent('#inbox-requests')).toContain('request sent');
    await checkA11y(page, 'console person (inbox request)');

    // Ada, in her own browser, reads her ORCID inbox.
    const ada = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await ada.goto(`${orcid}/signin`);
    await ada.fill('#username', 'ada@example.org');
    await ada.fill('#password', 'password');
    await ada.click('#signin-button');
    await ada.goto(`${orcid}/inbox`);
    await ada.click('a:text-is("your activities")');
    expect(await ada.textContent('main')).toContain('Lanyard Demo University asks for your permission');
    await ada.click('button:text-is("Grant permissions")');
    await ada.click('#authorize-button');
    await ada.waitForSelector('#inbox-connected');
    expect(await ada.textContent('#inbox-connected')).toContain('now connected to Lanyard Demo University');
    await checkA11y(ada, 'connected from the ORCID inbox');
    expect((await tokensOf(ADA)).at(-1)!.disabled).toBe(false);
    await page.reload();
    expect(await page.getAttribute('tr[data-link-status]', 'data-link-status')).toBe('active');
  }, 60_000);

  it('the console: overview charts drawn, call log shared with a link that opens without an account, export and audit log', async () => {
    const page = await (
      await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 900 } })
    ).newPage();
    await portalSignIn(page, 'grace');
    await page.goto(`${portal}admin/overview`);
    // chart.js (served by the installation) drew every chart from its table.
    await page.waitForFunction(() => {
      // biome-ignore lint/suspicious/noExplicitAny: chart.js's global in the page
      const chart = (globalThis as any).Chart;
      return chart && Object.keys(chart.instances).length === 7;
    });
    await checkA11y(page, 'console overview');
    await screenshot(page, 'overview');

    await page.goto(`${portal}admin/calls?method=POST`);
    await checkA11y(page, 'console calls');
    await screenshot(page, 'calls');
    const first = await page.getAttribute('#calls tbody tr', 'data-call');
    await page.check(`#call-${first}`);
    await page.fill('#note', 'For ORCID support');
    await page.click('#share');
    const url = await page.inputValue('#shared-url');
    await checkA11y(page, 'console shared link made');
    const support = await (await browser.newContext()).newPage();
    await support.goto(url);
    expect(await support.getAttribute('article', 'data-call')).toBe(first);
    expect(await support.textContent('main')).toContain('For ORCID support');
    await checkA11y(support, 'shared calls');

    await page.goto(`${portal}admin/export`);
    await checkA11y(page, 'console export');
    await screenshot(page, 'export');
    await page.goto(`${portal}admin/audit`);
    expect(await page.textContent('#audit')).toContain('calls.shared');
    await checkA11y(page, 'console audit');
    await screenshot(page, 'audit');
    await page.goto(`${portal}admin/people`);
    await screenshot(page, 'people');

    // Invitations: Alan was invited by the upload; the administrator sends it again from the list.
    await page.goto(`${portal}admin/invitations`);
    await checkA11y(page, 'console invitations');
    await screenshot(page, 'invitations');
    const outboxCount = async () => {
      const outbox = await (await browser.newContext()).newPage();
      await outbox.goto(new URL('/outbox', portal).href);
      const n = (await outbox.textContent('main'))!.split('alan@demo.example.edu').length - 1;
      await outbox.close();
      return n;
    };
    const before = await outboxCount();
    await page.click('tr[data-state="sent"] button[id^="resend-"]');
    await page.waitForSelector('#flash');
    expect(await page.textContent('#flash')).toContain('The invitation is being sent again.');
    for (let i = 0; i < 50 && (await outboxCount()) === before; i++) await page.waitForTimeout(200);
    expect(await outboxCount()).toBe(before + 1);

    // The settings: credentials (Test connection against the simulator), registration values,
    // API keys and institutional sign-in.
    await page.goto(`${portal}admin/settings`);
    await checkA11y(page, 'console settings');
    await page.click('#test-connection');
    await page.waitForSelector('#flash');
    expect(await page.textContent('#flash')).toContain('ORCID accepted the credentials');
    await screenshot(page, 'settings');
    await page.goto(`${portal}admin/settings/registration`);
    await checkA11y(page, 'console registration values');
    await page.goto(`${portal}admin/settings/api-keys`);
    await page.fill('#key-name', 'CRIS');
    await page.click('#make-key');
    expect(await page.inputValue('#made-key')).toMatch(/^lk_/);
    await checkA11y(page, 'console API keys');
    await page.goto(`${portal}admin/settings/sign-in`);
    await checkA11y(page, 'console sign-in settings');

    // The integration review: every checklist line and badge, each with its evidence.
    await page.goto(`${portal}admin/review`);
    expect(await page.locator('#checklist tbody tr').count()).toBe(14);
    expect(await page.locator('#badges tbody tr').count()).toBe(5);
    for (const evidence of await page.locator('#checklist tbody td:last-child').allTextContents())
      expect(evidence.trim().length).toBeGreaterThan(10);
    expect(await page.getAttribute('tr[data-line="oauth"]', 'data-verdict')).toBe('met');
    await checkA11y(page, 'console review');
    await screenshot(page, 'review');
  }, 60_000);

  it('the administrator retries an item ORCID refused, revokes a shared link, and deletes Ada: revoked at ORCID', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await portalSignIn(page, 'grace');
    // ORCID refuses the next employment written (a 400, as for data it cannot take).
    await control(orcid, 'POST', '/faults', {
      method: 'POST',
      pathPattern: '/employment$',
      status: 400,
      rate: 1,
    });
    const dir = mkdtempSync(join(tmpdir(), 'lanyard-e2e-'));
    const csv = join(dir, 'one-more.csv');
    writeFileSync(
      csv,
      'local_id,source_key,type,role,start_date\nE1001,hr-2024-visiting,employment,Visiting Fellow,2024-01-15\n',
    );
    await page.goto(`${portal}admin/`);
    await page.setInputFiles('#file', csv);
    await page.click('button[type=submit].btn');
    await page.waitForSelector('strong[data-status="invalid"]:text-is("1")', { timeout: 20_000 });
    await control(orcid, 'DELETE', '/faults');
    await page.goto(`${portal}admin/people?q=lovelace`);
    await page.click('#people a:text-is("Ada Lovelace")');
    const person = page.url();
    expect(await page.getAttribute('tr[data-item="hr-2024-visiting"]', 'data-status')).toBe('invalid');
    await page.click('tr[data-item="hr-2024-visiting"] button[id^="retry-"]');
    await page.waitForSelector('#flash');
    for (let i = 0; i < 50; i++) {
      if ((await page.getAttribute('tr[data-item="hr-2024-visiting"]', 'data-status')) === 'in_orcid') break;
      await page.waitForTimeout(200);
      await page.goto(person);
    }
    expect(await page.getAttribute('tr[data-item="hr-2024-visiting"]', 'data-status')).toBe('in_orcid');

    // A link shared with ORCID support stops working once revoked.
    await page.goto(`${portal}admin/calls`);
    const first = await page.getAttribute('#calls tbody tr', 'data-call');
    await page.check(`#call-${first}`);
    await page.click('#share');
    const url = await page.inputValue('#shared-url');
    const support = await (await browser.newContext()).newPage();
    expect((await support.goto(url))!.status()).toBe(200);
    await page.goto(`${portal}admin/calls`);
    await page.click('tr[data-share] button[id^="revoke-"]');
    await page.waitForSelector('#flash');
    expect((await support.goto(url))!.status()).toBe(404);

    // Deleting Ada revokes her tokens at ORCID first, then removes her.
    await page.goto(person);
    await page.check('#confirm-delete');
    await page.click('#delete-person');
    await page.waitForSelector('#flash');
    expect(await page.textContent('#flash')).toContain('deleted');
    expect((await allTokensOf(ADA)).every((t) => t.disabled)).toBe(true);
    expect((await page.goto(person))!.status()).toBe(404);
    await page.goto(`${portal}admin/people?q=lovelace`);
    expect(await page.textContent('main')).not.toContain('Ada Lovelace');
  }, 90_000);

  it("the demo's operator signs in with the printed password and sees the demo organisation and the installation's health", async () => {
    expect(demo.output).toContain('operator@demo.example / operator');
    const base = new URL(portal).origin;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/operator/sign-in`);
    await checkA11y(page, 'operator sign-in (demo)');
    await page.fill('#email', 'operator@demo.example');
    await page.fill('#password', 'operator');
    await page.click('#operator-password');
    await page.waitForSelector('#organisations');
    expect(await page.textContent('tr[data-slug="demo"]')).toContain('Lanyard Demo University');
    await checkA11y(page, 'operator organisations (demo)');
    await page.goto(`${base}/operator/health`);
    await checkA11y(page, 'installation health (demo)');
    expect(await page.textContent('#database')).toBe('OK');
    // The demo runs one worker in its own process: it has said it is alive.
    expect(await page.$$('#workers tbody tr')).toHaveLength(1);
    expect(await page.textContent('tr[data-environment="local"]')).toContain('OK');
  }, 60_000);

  it('axe-core finds no serious or critical problem on any portal page', () => {
    expect(a11y.length).toBeGreaterThanOrEqual(20);
    expect(a11y.filter((p) => p.problems.length)).toEqual([]);
  });
});
