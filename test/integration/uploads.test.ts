// Bulk uploads through the admin area, against the simulator with the worker writing: the
// affiliations CSV (UTF-16, default organisation, export with put codes, round trip that updates
// and deletes), the items JSON (works, funding, peer reviews with their group), the same upload
// twice at once, refused files (nothing stated, every problem by row and column), leavers,
// invitations received by a real SMTP server and pending items written once the invitee connects,
// and who may use the area.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../src/domain/upload-file.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import {
  clientItems,
  control,
  newResearcher,
  startTestSandbox,
  type TestSandbox,
} from '../helpers/sandbox.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import type { WebClient } from '../helpers/web-client.js';
import { csrfOf } from '../helpers/web-client.js';

let sb: TestSandbox;
let smtp: TestSmtp;
let p: TestPortal;
let admin: WebClient;
let adaOrcid: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  smtp = await startSmtp();
  p = await startPortal(sb.base, {
    worker: true,
    smtpUrl: smtp.url,
    tenant: { slug: 'uploads-uni' },
    configuredAdmins: ['uploads-uni:UP-CFG'],
  });
  await p.container.repos.adminUsers.grant(p.tenant.id, 'UP-ADM', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'UP-ADM' }))).web;
  adaOrcid = await connect('UP-ADA');
}, 60_000);
afterAll(async () => {
  await p?.close();
  await smtp?.close();
  await sb?.close();
});

/** A directory person signs in and connects a new simulator researcher; returns the iD. */
async function connect(employeeId: string, email?: string): Promise<string> {
  const { orcid } = await newResearcher(sb.base);
  const { web } = await signInToPortal(p, await p.addPerson({ employeeId, ...(email ? { email } : {}) }));
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
  return orcid;
}

async function upload(filename: string, content: Uint8Array | string, client = admin) {
  const page = await client.get(`${p.tenantUrl}/admin/`);
  return client.upload(
    `${p.tenantUrl}/admin/uploads?_csrf=${encodeURIComponent(csrfOf(page.text))}`,
    {},
    { field: 'file', filename, content },
  );
}

// biome-ignore lint/suspicious/noExplicitAny: progress JSON
async function settled(uploadUrl: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const r = await admin.get(`${uploadUrl}/progress`);
    const progress = JSON.parse(r.text);
    if (progress.settled) return progress;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('upload never settled');
}

const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const counts = async () => ({
  items: Number(
    (await p.db.pool.query('select count(*) from items where tenant_id = $1', [p.tenant.id])).rows[0].count,
  ),
  uploads: Number(
    (await p.db.pool.query('select count(*) from uploads where tenant_id = $1', [p.tenant.id])).rows[0].count,
  ),
});

describe('affiliations CSV', () => {
  it('is written to ORCID (the organisation by default), exports with put codes, and round-trips updates and deletions', async () => {
    const csv =
      'Employee ID,Source Key,Type,Role,Department,Start Date,Organisation,City,Country,Org Identifier,Org identifier source\n' +
      'UP-ADA,ada-emp,Employment,=Professor of Zoë,Physics,2019-03,,,,,\n' +
      'UP-ADA,ada-edu,education,PhD,,2010,Université Paris Cité,Paris,fr,https://ror.org/05f82e368,ror\n';
    const res = await upload('staff.csv', utf16(csv));
    expect(res.status, res.text).toBe(303);
    const url = res.location!;
    const first = await settled(url);
    expect(first).toMatchObject({ total: 2, byStatus: { in_orcid: 2 } });

    const [emp] = await clientItems(sb.base, adaOrcid, p.client.clientId, 'employment');
    const [edu] = await clientItems(sb.base, adaOrcid, p.client.clientId, 'education');
    expect(emp!.json).toMatchObject({
      'role-title': '=Professor of Zoë',
      organization: { name: 'Test University', address: { city: 'Wellington', country: 'NZ' } },
    });
    expect(edu!.json).toMatchObject({
      organization: { name: 'Université Paris Cité', address: { country: 'FR' } },
    });

    const page = await admin.get(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('in ORCID');
    const exported = await admin.get(`${url}/export`);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="staff-result.csv"');
    const lines = exported.text.trim().split('\n');
    expect(lines[0]).toMatch(/^local_id,email,.*,action,put_code,status,status_detail$/);
    expect(lines[1]).toContain("'=Professor of Zoë");
    expect(lines[1]).toContain(`,${emp!.putCode},in_orcid,`);
    expect(lines[2]).toContain(`,${edu!.putCode},in_orcid,`);

    // The export comes back with a new role and the education marked for deletion.
    const edited = exported.text.replace("'=Professor of Zoë", 'Dean').replace(',PhD,', ',PhD,').split('\n');
    edited[2] = edited[2]!.replace(/,,(\d+),in_orcid,/, ',delete,$1,in_orcid,');
    const again = await upload('staff-result.csv', edited.join('\n'));
    expect(again.status, again.text).toBe(303);
    expect(await settled(again.location!)).toMatchObject({ total: 2, byStatus: { in_orcid: 1, deleted: 1 } });
    const emps = await clientItems(sb.base, adaOrcid, p.client.clientId, 'employment');
    expect(emps.map((e) => [e.putCode, e.json['role-title']])).toEqual([[emp!.putCode, 'Dean']]);
    expect(await clientItems(sb.base, adaOrcid, p.client.clientId, 'education')).toEqual([]);
  });

  it('end-dates the employments of a person the file says has left', async () => {
    const orcid = await connect('UP-CAROL');
    const first = await upload(
      'carol.csv',
      'local_id,source_key,type,start_date\nUP-CAROL,carol-emp,employment,2015-09-01\n',
    );
    await settled(first.location!);
    const left = await upload(
      'carol-left.csv',
      'local_id,source_key,type,start_date,left_on\nUP-CAROL,carol-emp,employment,2015-09-01,2024-06-30\n',
    );
    expect(await settled(left.location!)).toMatchObject({ byStatus: { in_orcid: 1 } });
    const [emp] = await clientItems(sb.base, orcid, p.client.clientId, 'employment');
    expect(emp!.json['end-date']).toEqual({
      year: { value: '2024' },
      month: { value: '06' },
      day: { value: '30' },
    });
  });

  it('refuses a bad file whole: nothing is stated, and every problem is named by row and column', async () => {
    const before = await counts();
    const header = 'local_id,source_key,type,start_date,end_date,organisation,city,country\n';
    const cases: Array<[string, string | Uint8Array, string[]]> = [
      [
        'quotes.csv',
        `${header}UP-ADA,q1,employment,"2020,,,,\nUP-ADA,q2,employment,2020,,,,\n`,
        ['cannot be read'],
      ],
      [
        'latin1.csv',
        Buffer.from(`${header}UP-ADA,l1,employment,2020,,Universität Wien,Wien,AT\n`, 'latin1'),
        ['not UTF-8'],
      ],
      [
        'columns.csv',
        'local_id,kind\nUP-ADA,employment\n',
        ['Unknown column', 'source_key is missing', 'type is missing'],
      ],
      [
        'rows.csv',
        `${header}UP-ADA,r1,employment,2020-02-31,,,,\nUP-ADA,r2,employment,2021,2019,,,\nUP-ADA,r3,employment,,,Somewhere,Town,QQ\nUP-ADA,r4,employment,2020,,,,\n`,
        [
          '<td>2</td><td>start_date</td>',
          '<td>3</td><td>end_date</td>',
          '<td>4</td><td>country</td>',
          'before the start',
        ],
      ],
      ['big.csv', new Uint8Array(MAX_UPLOAD_BYTES + 10), ['the limit is 50 MB']],
      ['works.json', '{"items": [ {"localId": "UP-ADA"', ['not JSON']],
      [
        'bad-work.json',
        JSON.stringify({
          items: [{ localId: 'UP-ADA', sourceKey: 'bw', section: 'work', payload: { title: {} } }],
        }),
        ['items[0].payload'],
      ],
      ['notes.txt', 'hello', ['Choose a .csv']],
    ];
    for (const [name, content, expected] of cases) {
      let res = await upload(name, content);
      // Refused on receipt (no file, too large, unknown kind), or by the worker that checks it.
      if (res.status === 303) {
        expect(await settled(res.location!), name).toMatchObject({ state: 'refused' });
        res = await admin.get(res.location!);
      } else expect(res.status, name).toBe(422);
      expect(res.text, name).toContain('nothing was changed');
      for (const e of expected)
        expect(res.text.replace(/\s+/g, ' '), `${name}: ${e}`).toContain(e.replace(/>\s+</g, '><'));
    }
    expect((await counts()).items).toBe(before.items);
  }, 60_000);
});

describe('items JSON', () => {
  const items = [
    {
      localId: 'UP-ADA',
      sourceKey: 'ada-work-1',
      section: 'work',
      payload: {
        title: { title: { value: 'Notes on the Analytical Engine' } },
        type: 'journal-article',
        'external-ids': {
          'external-id': [
            {
              'external-id-type': 'doi',
              'external-id-value': '10.5555/up.1',
              'external-id-relationship': 'self',
            },
          ],
        },
      },
    },
    {
      localId: 'UP-ADA',
      sourceKey: 'ada-grant-1',
      section: 'funding',
      payload: {
        title: { title: { value: 'Engines of thought' } },
        type: 'grant',
        'external-ids': {
          'external-id': [
            {
              'external-id-type': 'grant_number',
              'external-id-value': 'RS-1843',
              'external-id-relationship': 'self',
            },
          ],
        },
        organization: {
          name: 'Royal Society',
          address: { city: 'London', country: 'GB' },
          'disambiguated-organization': {
            'disambiguated-organization-identifier': 'https://ror.org/03wnrjx87',
            'disambiguation-source': 'ROR',
          },
        },
      },
    },
    {
      localId: 'UP-ADA',
      sourceKey: 'ada-review-1',
      section: 'peer-review',
      groupId: 'orcid-generated:lanyard-uploads-test',
      payload: {
        'reviewer-role': 'reviewer',
        'review-identifiers': {
          'external-id': [
            {
              'external-id-type': 'source-work-id',
              'external-id-value': 'rev-1',
              'external-id-relationship': 'self',
            },
          ],
        },
        'review-type': 'review',
        'review-completion-date': { year: { value: '2024' } },
        'convening-organization': { name: 'Journal of Engines', address: { city: 'London', country: 'GB' } },
      },
    },
  ];

  it('writes works, funding and peer reviews (creating the review group only when ORCID has none), once, even when the file arrives twice at the same moment', async () => {
    const body = JSON.stringify({ items });
    const [ra, rb] = await Promise.all([upload('outputs.json', body), upload('outputs.json', body)]);
    const [a, b] = [ra, rb].map((r) => ({ id: r.location!.split('/').pop()! }));
    expect(a!.id).not.toBe(b!.id);
    await settled(`${p.tenantUrl}/admin/uploads/${a!.id}`);
    expect(await settled(`${p.tenantUrl}/admin/uploads/${b!.id}`)).toMatchObject({
      state: 'accepted',
      byStatus: { in_orcid: 3 },
    });
    for (const section of ['work', 'funding', 'peer-review'])
      expect(await clientItems(sb.base, adaOrcid, p.client.clientId, section), section).toHaveLength(1);
    const state = await control<{ groups: Array<{ groupId: string }> }>(sb.base, 'GET', '/state');
    expect(state.groups.filter((g) => g.groupId === 'orcid-generated:lanyard-uploads-test')).toHaveLength(1);

    const exported = JSON.parse((await admin.get(`${p.tenantUrl}/admin/uploads/${a!.id}/export`)).text);
    expect(
      exported.items.map((i: { putCode: number; status: string }) => [typeof i.putCode, i.status]),
    ).toEqual([
      ['number', 'in_orcid'],
      ['number', 'in_orcid'],
      ['number', 'in_orcid'],
    ]);
  });
});

describe('invite, then write', () => {
  it('mails people without a link once, from their organisation; their items are written when they connect', async () => {
    const csv =
      'local_id,email,given_names,source_key,type,role\n' +
      'UP-BOB,bob@test.example.edu,Bob,bob-emp,employment,Lecturer\n' +
      'UP-BOB,bob@test.example.edu,Bob,bob-svc,service,Committee chair\n';
    const res = await upload('new-staff.csv', csv);
    expect(await settled(res.location!)).toMatchObject({ byStatus: { pending: 2 } });
    const mail = await smtp.waitFor((m) => m.to.includes('bob@test.example.edu'));
    expect(mail.text).toMatch(/Subject: Test University: connect your ORCID iD/);
    expect(mail.text).toContain('Dear Bob,');
    expect(mail.text).toContain(`${p.tenantUrl}/`);
    expect(mail.text).toContain('2 items to add');
    expect(mail.text).toContain('orcid@test.example.edu');

    // A later upload for Bob does not mail him again.
    await upload('more.csv', 'local_id,source_key,type\nUP-BOB,bob-mem,membership\n');
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.messages.filter((m) => m.to.includes('bob@test.example.edu'))).toHaveLength(1);

    const orcid = await connect('UP-BOB', 'bob@test.example.edu');
    await settled(res.location!);
    expect(await clientItems(sb.base, orcid, p.client.clientId, 'employment')).toHaveLength(1);
    expect(await clientItems(sb.base, orcid, p.client.clientId, 'service')).toHaveLength(1);
  }, 30_000);
});

describe('the admin area', () => {
  it('is for administrators: anonymous 401, other people 403, configured administrators allowed', async () => {
    const { WebClient } = await import('../helpers/web-client.js');
    expect((await new WebClient().get(`${p.tenantUrl}/admin/`)).status).toBe(401);
    const someone = (await signInToPortal(p, await p.addPerson({ employeeId: 'UP-NOBODY' }))).web;
    const forbidden = await someone.get(`${p.tenantUrl}/admin/`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('not an administrator');
    const refused = await someone.upload(
      `${p.tenantUrl}/admin/uploads?_csrf=${encodeURIComponent(csrfOf(forbidden.text))}`,
      {},
      { field: 'file', filename: 'x.csv', content: 'local_id,source_key,type\nUP-NOBODY,x,employment\n' },
    );
    expect(refused.status).toBe(403);
    const configured = (await signInToPortal(p, await p.addPerson({ employeeId: 'UP-CFG' }))).web;
    expect((await configured.get(`${p.tenantUrl}/admin/`)).status).toBe(200);
  });

  it('refuses an upload without the CSRF token', async () => {
    const res = await admin.upload(
      `${p.tenantUrl}/admin/uploads`,
      {},
      { field: 'file', filename: 'x.csv', content: 'local_id,source_key,type\nUP-ADA,x,employment\n' },
    );
    expect(res.status).toBe(403);
  });

  it("answers 404 for another organisation's upload", async () => {
    const other = await p.addTenant({ slug: 'uploads-other' });
    const service = p.container.uploads;
    const theirs = await service.receive(
      other.id,
      {
        format: 'affiliations-csv',
        filename: 'theirs.csv',
        content: [Buffer.from('local_id,source_key,type\nX1,x1,employment\n')],
      },
      'test',
    );
    for (const suffix of ['', '/progress', '/export'])
      expect((await admin.get(`${p.tenantUrl}/admin/uploads/${theirs.id}${suffix}`)).status).toBe(404);
    expect((await admin.get(`${p.tenantUrl}/admin/uploads/not-a-uuid`)).status).toBe(404);
  });
});

describe('the uploads list', () => {
  it('filters by state, file name and uploader, and pages to older uploads without repeating any', async () => {
    for (let i = 0; i < 52; i++)
      await p.container.uploads.receive(
        p.tenant.id,
        {
          format: 'affiliations-csv',
          filename: `batch-${String(i).padStart(2, '0')}.csv`,
          content: [Buffer.from('x')],
        },
        i % 2 ? 'UP-ADM' : 'cli',
      );
    const list = `${p.tenantUrl}/admin/`;
    const names = (html: string) => [...html.matchAll(/>(batch-\d\d\.csv)<\/a>/g)].map((m) => m[1]!);
    const first = await admin.get(`${list}?name=BATCH-`);
    expect(names(first.text)).toHaveLength(50);
    expect(names(first.text)[0]).toBe('batch-51.csv');
    const older = /<a rel="next" href="([^"]+)"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    const second = await admin.get(new URL(older, p.base).href);
    expect(names(second.text)).toEqual(['batch-01.csv', 'batch-00.csv']);
    expect(/rel="next"/.test(second.text)).toBe(false);
    const byCli = names((await admin.get(`${list}?name=batch-&by=cli`)).text);
    expect(byCli).toHaveLength(26);
    expect(byCli.every((n) => Number(n.slice(6, 8)) % 2 === 0)).toBe(true);
    // None of these files can be accepted (they are not CSV with the columns): refused or on the way.
    expect(names((await admin.get(`${list}?name=batch-&state=accepted`)).text)).toEqual([]);
    expect((await admin.get(`${list}?name=batch-&state=accepted`)).text).toContain('No uploads match.');
    for (let i = 0; i < 200; i++) {
      const busy = await p.db.pool.query(
        `select 1 from uploads where filename like 'batch-%' and state not in ('refused', 'failed')`,
      );
      if (!busy.rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(names((await admin.get(`${list}?name=batch-0&state=refused`)).text)).toHaveLength(10);
    expect((await admin.get(`${list}?state=lost`)).status).toBe(400);
    // 52 uploads checked by the worker take about 20 s on a busy machine.
  }, 60_000);
});

describe('in the console languages', () => {
  it('the uploads, an upload, the organisation and the registry pages speak Spanish and French', async () => {
    const res = await upload('mal.csv', 'local_id,source_key\nUP-ADA,x\n');
    expect(res.status).toBe(303);
    await settled(res.location!);
    const list = await admin.get(`${p.tenantUrl}/admin/?lang=es`);
    expect(list.text).toContain('Cargas recientes');
    expect(list.text).toContain('<option value="refused">rechazado</option>');
    const refused = await admin.get(`${res.location!}?lang=fr`);
    expect(refused.text).toContain('mal.csv n&#39;a pas été accepté : rien n&#39;a été modifié');
    expect(refused.text).toContain('<h2 id="progress">Avancement</h2>');
    // The progress island gets its words from the page, in the page's language.
    expect(refused.text).toContain('Vérification : {{checked}} lignes vérifiées');
    const organisation = await admin.get(`${p.tenantUrl}/admin/organisation?lang=fr`);
    expect(organisation.text).toContain('Renommer l&#39;organisation');
    const registry = await admin.get(`${p.tenantUrl}/admin/registry?lang=es`);
    expect(registry.text).toContain('Registro ORCID');
    expect(registry.text).toMatch(/registros encontrados|No se pudo buscar en ORCID/);
  });
});
