// Renaming the organisation in the admin area: open affiliations written with the
// organisation's name end the day before under the old name and start again under the new one;
// ended ones keep the old name; affiliations with another organisation are not touched; a bad
// form changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { clientItems, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let orcid: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  await p.container.repos.adminUsers.grant(p.tenant.id, 'RN-ADM', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'RN-ADM' }))).web;
  orcid = (await newResearcher(sb.base)).orcid;
  const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'RN-DANA' }));
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
}, 30_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

const affiliations = async (section: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: ORCID JSON read loosely in assertions
  (await clientItems(sb.base, orcid, p.client.clientId, section)).map((i) => i.json as Record<string, any>);

async function settle() {
  for (let i = 0; i < 200; i++) {
    const busy = await p.db.pool.query(
      `select count(*) from items where tenant_id = $1 and status in ('queued', 'retrying')`,
      [p.tenant.id],
    );
    if (Number(busy.rows[0].count) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('writes never settled');
}

describe('renaming the organisation', () => {
  it('ends open affiliations under the old name and starts them under the new one', async () => {
    const intake = p.container.intake;
    const date = (y: string) => ({ year: { value: y } });
    await intake.stateItem(p.tenant.id, 'RN-DANA', {
      section: 'employment',
      sourceKey: 'dana-emp',
      payload: { 'role-title': 'Glaciologist', 'start-date': date('2015') },
    });
    await intake.stateItem(p.tenant.id, 'RN-DANA', {
      section: 'education',
      sourceKey: 'dana-edu',
      payload: { 'role-title': 'MSc', 'start-date': date('2010'), 'end-date': date('2014') },
    });
    const elsewhere = {
      'role-title': 'Visiting researcher',
      'start-date': date('2019'),
      organization: {
        name: 'Other Institute',
        address: { city: 'Oslo', country: 'NO' },
        'disambiguated-organization': {
          'disambiguated-organization-identifier': 'https://ror.org/01xtthb56',
          'disambiguation-source': 'ROR',
        },
      },
    };
    await intake.stateItem(p.tenant.id, 'RN-DANA', {
      section: 'invited-position',
      sourceKey: 'dana-inv',
      payload: elsewhere,
    });
    await settle();
    const [before] = await affiliations('employment');
    expect(before!.organization.name).toBe('Test University');

    // A bad form changes nothing.
    const form = await admin.get(`${p.tenantUrl}/admin/organisation`);
    expect(form.status).toBe(200);
    const bad = await admin.post(`${p.tenantUrl}/admin/organisation`, {
      _csrf: csrfOf(form.text),
      name: 'Test University of Technology',
      city: '',
      country: 'XX',
      disambiguatedId: 'https://ror.org/0040r6f76',
      disambiguationSource: 'ROR',
      effective: '2026-02-30',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('city: ORCID requires the city');
    expect(bad.text).toContain('country: an ISO 3166 country code');
    expect(bad.text).toContain('effective: a date');
    expect((await p.container.repos.tenants.byId(p.tenant.id))!.org_name).toBe('Test University');

    const done = await admin.post(`${p.tenantUrl}/admin/organisation`, {
      _csrf: csrfOf(form.text),
      name: 'Test University of Technology',
      city: 'Wellington',
      region: '',
      country: 'nz',
      disambiguatedId: 'https://ror.org/0040r6f76',
      disambiguationSource: 'ROR',
      effective: '2026-01-01',
    });
    expect(done.status, done.text).toBe(200);
    expect(done.text).toContain('Renamed. 1 affiliations end under the old name');
    expect(done.text).toContain('1 that had ended keep the old name');
    await new Promise((r) => setTimeout(r, 6500));
    await settle();

    const employments = (await affiliations('employment')).map((e) => [
      e.organization.name,
      e['start-date']?.year?.value,
      e['end-date']
        ? `${e['end-date'].year.value}-${e['end-date'].month.value}-${e['end-date'].day.value}`
        : null,
    ]);
    expect(employments).toHaveLength(2);
    expect(employments).toEqual(
      expect.arrayContaining([
        ['Test University', '2015', '2025-12-31'],
        ['Test University of Technology', '2026', null],
      ]),
    );
    expect((await affiliations('education')).map((e) => e.organization.name)).toEqual(['Test University']);
    expect((await affiliations('invited-position')).map((e) => e.organization.name)).toEqual([
      'Other Institute',
    ]);
    const audit = await p.db.pool.query(
      `select actor, action from audit_log where tenant_id = $1 and action = 'organisation.renamed'`,
      [p.tenant.id],
    );
    expect(audit.rows).toEqual([{ actor: 'RN-ADM', action: 'organisation.renamed' }]);
  }, 40_000);
});
