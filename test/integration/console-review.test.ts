// The integration-review report with live evidence: on a fresh organisation most lines have
// nothing to show yet; after a connect, a written item, a denial and a disconnect (all through
// the real portal and simulator), every checklist line and badge is met, with the counts that
// prove it, in the page and in the JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { newResearcher, orcidAnswers, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let review: string;

const verdicts = async () => {
  const json = await admin.get(`${review}.json`);
  const r = JSON.parse(json.text) as {
    checklist: Array<{ id: string; verdict: string; values: Record<string, string> }>;
    badges: Array<{ id: string; verdict: string }>;
  };
  return {
    checklist: Object.fromEntries(r.checklist.map((l) => [l.id, l.verdict])),
    badges: Object.fromEntries(r.badges.map((l) => [l.id, l.verdict])),
    values: Object.fromEntries(r.checklist.map((l) => [l.id, l.values])),
  };
};

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  review = `${p.tenantUrl}/admin/review`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'RV-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'RV-ADMIN' }))).web;
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

describe('the integration-review report', () => {
  it('has nothing to show yet on a fresh organisation, but its settings', async () => {
    const v = await verdicts();
    expect(v.checklist).toMatchObject({
      oauth: 'not_yet',
      tokens: 'not_yet',
      putCodes: 'not_yet',
      secret: 'met',
      errors: 'met',
      prefill: 'met',
      scopes: 'met',
    });
    expect(v.values.prefill!.params).toContain('prompt');
    expect(v.values.prefill!.params).toContain('family_names');
    expect(v.badges.authenticate).toBe('not_yet');
  });

  it('meets every line and badge once people connect, items are written, one denies and one disconnects', async () => {
    const orcid = (await newResearcher(sb.base)).orcid;
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'RV-1' }));
    expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
    await p.container.intake.stateItem(p.tenant.id, 'RV-1', {
      section: 'employment',
      sourceKey: 'rv-emp',
      payload: { 'role-title': 'Reviewer', 'start-date': { year: { value: '2020' } } },
    });
    // A second person connects, then disconnects in the portal.
    const other = (await newResearcher(sb.base)).orcid;
    const second = await signInToPortal(p, await p.addPerson({ employeeId: 'RV-2' }));
    expect((await connectInPortal(p, sb.base, second.web, other)).status).toBe(303);
    const page = await second.web.get(`${p.tenantUrl}/`);
    await second.web.post(`${p.tenantUrl}/disconnect`, { _csrf: csrfOf(page.text) });
    // A third denies at ORCID.
    const third = await signInToPortal(p, await p.addPerson({ employeeId: 'RV-3' }));
    const start = await third.web.post(`${p.tenantUrl}/connect`, { _csrf: csrfOf(third.page) });
    const location = await orcidAnswers(
      sb.base,
      new URL(start.location!),
      (await newResearcher(sb.base)).orcid,
      true,
    );
    await third.web.get(location);
    for (let i = 0; i < 200; i++) {
      const v = await verdicts();
      if (v.checklist.putCodes === 'met' && v.badges.synchronize === 'met') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const v = await verdicts();
    expect(Object.entries(v.checklist).filter(([, verdict]) => verdict !== 'met')).toEqual([]);
    expect(v.badges).toEqual({
      authenticate: 'met',
      displayBadge: 'met',
      collect: 'met',
      connect: 'met',
      synchronize: 'met',
    });
    expect(v.values.oauth).toMatchObject({ links: '2', fromOauth: '2' });
    expect(v.values.putCodes).toMatchObject({ written: '1', withPutCode: '1', share: '100%' });
    expect(v.values.deny).toMatchObject({ denied: '1' });
    expect(v.values.disconnect).toMatchObject({ disconnected: '1', revoked: '1' });

    const html = await admin.get(review);
    expect(html.status).toBe(200);
    expect([...html.text.matchAll(/<tr data-line="([^"]+)" data-verdict="met"/g)]).toHaveLength(19);
    expect(html.text).toContain('@media print');
  });
});
