// Registry search for administrators, against the simulator's search API over HTTP: records
// whose public affiliations name the organisation (by its ROR id, or by its name) are found and
// marked when connected here; private affiliations are not indexed; the page, its CSV and the API
// agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { control, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import type { WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { tenant: { slug: 'registry-uni' } });
  await p.container.repos.adminUsers.grant(p.tenant.id, 'REG-ADM', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'REG-ADM' }))).web;
});
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

const employment = (org: { name: string; ror?: string }) => ({
  'role-title': 'Researcher',
  organization: {
    name: org.name,
    address: { city: 'Wellington', country: 'NZ' },
    ...(org.ror
      ? {
          'disambiguated-organization': {
            'disambiguated-organization-identifier': org.ror,
            'disambiguation-source': 'ROR',
          },
        }
      : {}),
  },
});

async function researcherWith(item: Record<string, unknown>, visibility = 'public', familyNames?: string) {
  const r = await newResearcher(sb.base, familyNames ? { familyNames } : {});
  await control(sb.base, 'POST', `/researchers/${r.orcid}/items`, {
    section: 'employment',
    item,
    visibility,
  });
  return r;
}

describe('registry search', () => {
  it('finds records naming the organisation by its ROR id or its name, marks those connected here, and leaves private ones out', async () => {
    const byRor = await researcherWith(
      employment({ name: 'Test Univ.', ror: 'https://ror.org/0040r6f76' }),
      'public',
      'ByRor',
    );
    const byName = await researcherWith(employment({ name: 'Test University' }), 'public', 'ByName');
    const hidden = await researcherWith(
      employment({ name: 'Test University', ror: 'https://ror.org/0040r6f76' }),
      'private',
    );
    const elsewhere = await researcherWith(
      employment({ name: 'Another Institute', ror: 'https://ror.org/02mhbdp94' }),
    );
    // byRor connects here.
    const username = await p.addPerson({ employeeId: 'REG-ROR' });
    const { web } = await signInToPortal(p, username);
    expect((await connectInPortal(p, sb.base, web, byRor.orcid)).status).toBe(303);

    const key = (await p.container.repos.apiKeys.create(p.tenant.id, 'CRIS')).key;
    const res = await fetch(`${p.base}/api/v1/registry?rows=100`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      query: string;
      numFound: number;
      results: Array<{ orcid: string; connectedAs: string | null; institutions: string[] }>;
    };
    expect(body.query).toBe(
      'ror-org-id:"https://ror.org/0040r6f76" OR affiliation-org-name:"Test University"',
    );
    const found = new Map(body.results.map((r) => [r.orcid, r]));
    expect(found.get(byRor.orcid)).toMatchObject({ connectedAs: 'REG-ROR' });
    expect(found.get(byName.orcid)).toMatchObject({ connectedAs: null, institutions: ['Test University'] });
    expect(found.has(hidden.orcid)).toBe(false);
    expect(found.has(elsewhere.orcid)).toBe(false);

    const page = await admin.get(`${p.tenantUrl}/admin/registry`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`data-orcid="${byRor.orcid}" data-connected="yes"`);
    expect(page.text).toContain(`data-orcid="${byName.orcid}" data-connected="no"`);
    const csv = await admin.get(`${p.tenantUrl}/admin/registry.csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('orcid,name,institutions,connected_as');
    expect(lines.some((l) => l.startsWith(`${byRor.orcid},`) && l.endsWith(',REG-ROR'))).toBe(true);
    expect(lines).toHaveLength(body.numFound + 1);
  });

  it('is for administrators only, and says so when ORCID cannot be searched', async () => {
    const someone = (await signInToPortal(p, await p.addPerson())).web;
    expect((await someone.get(`${p.tenantUrl}/admin/registry`)).status).toBe(403);
    expect((await someone.get(`${p.tenantUrl}/admin/registry.csv`)).status).toBe(403);
    await control(sb.base, 'POST', '/faults', { pathPattern: 'expanded-search', status: 500, rate: 1 });
    try {
      const page = await admin.get(`${p.tenantUrl}/admin/registry`);
      expect(page.status).toBe(502);
      expect(page.text).toContain('ORCID could not be searched');
      const key = (await p.container.repos.apiKeys.create(p.tenant.id, 'CRIS 2')).key;
      const res = await fetch(`${p.base}/api/v1/registry`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: string }).error).toBe('orcid_unavailable');
    } finally {
      await control(sb.base, 'DELETE', '/faults');
    }
  });
});
