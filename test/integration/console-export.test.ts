// The data export: the organisation's iDs, links and put codes, with the tokens in clear only
// after a sign-in within 10 minutes and a confirmation, and only if the organisation allows it.
// The tokens exported are the real ones (they open the simulator's API); every export is audited;
// `lanyard export-links` writes the same from the command line and honours the same setting.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src/domain/csv-cell.js';
import { lanyard } from '../helpers/cli.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { call, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { until, untilWritten } from '../helpers/until.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let adminUser: string;
let exportUrl: string;
let orcid: string;
let env: Record<string, string>;

const audits = async () =>
  (
    await p.db.pool.query<{ actor: string; details: { format: string; withTokens: boolean } }>(
      `select actor, details from audit_log where tenant_id = $1 and action = 'links.exported' order by id`,
      [p.tenant.id],
    )
  ).rows.map((r) => [r.actor, r.details.format, r.details.withTokens]);

async function exportAs(web: WebClient, form: Record<string, string>) {
  const page = await web.get(exportUrl);
  return web.post(exportUrl, { _csrf: csrfOf(page.text), confirm: 'yes', ...form });
}

/** As if the administrator had signed in `minutes` ago. */
const signedInAgo = (minutes: number) =>
  p.db.pool.query(`update sessions set data = jsonb_set(data, '{signedInAt}', to_jsonb($1::bigint))`, [
    Date.now() - minutes * 60_000,
  ]);

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true, tenant: { slug: 'export-uni' } });
  env = { DATABASE_URL: p.db.url, LANYARD_KEYS: p.ring.format() };
  exportUrl = `${p.tenantUrl}/admin/export`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'EX-ADMIN', 'test');
  adminUser = await p.addPerson({ employeeId: 'EX-ADMIN' });
  admin = (await signInToPortal(p, adminUser)).web;
  orcid = (await newResearcher(sb.base)).orcid;
  const { web } = await signInToPortal(
    p,
    await p.addPerson({ employeeId: 'EX-RES', givenNames: 'Rosalind', familyName: 'Franklin' }),
  );
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
  await p.container.intake.stateItem(p.tenant.id, 'EX-RES', {
    section: 'employment',
    sourceKey: 'ex-emp',
    payload: { 'role-title': 'Crystallographer', 'start-date': { year: { value: '1951' } } },
  });
  await untilWritten(p.db.pool, 'ex-emp');
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

describe('the data export', () => {
  it('exports iDs, people, links and put codes without tokens unless asked', async () => {
    const res = await exportAs(admin, { format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('orcid-links-export-uni.csv');
    const [header, line] = res.text.trim().split('\n');
    expect(header).toBe(
      'orcid,given_names,family_name,local_id,link_status,scope,expires_at,granted_at,revoked_at,' +
        'item_section,item_source_key,item_put_code,item_put_code_orcid,item_group_id,item_status',
    );
    const putCode = (await p.db.pool.query(`select put_code from items where source_key = 'ex-emp'`)).rows[0]
      .put_code;
    expect(line).toContain(`${orcid},Rosalind,Franklin,EX-RES,active,`);
    expect(line).toContain(`employment,ex-emp,${putCode},${orcid},,in_orcid`);
    expect(res.text).not.toContain('access_token');
  });

  it('exports the real tokens as JSON after a recent sign-in, and audits who did', async () => {
    const res = await exportAs(admin, { format: 'json', tokens: 'yes' });
    expect(res.status).toBe(200);
    const [link] = JSON.parse(res.text) as Array<{
      orcid: string;
      access_token: string;
      refresh_token: string;
      items: Array<{ source_key: string; put_code: string }>;
    }>;
    expect(link!.orcid).toBe(orcid);
    expect(link!.items.map((i) => i.source_key)).toEqual(['ex-emp']);
    // The token opens the researcher's record at ORCID (the simulator).
    const record = await call(`${sb.api}/v3.0/${orcid}/record`, { token: link!.access_token });
    expect(record.status).toBe(200);
    expect(link!.refresh_token).toBeTruthy();
    expect(await audits()).toEqual([
      ['admin:EX-ADMIN', 'csv', false],
      ['admin:EX-ADMIN', 'json', true],
    ]);
  });

  it('asks for a new sign-in when the last is older than 10 minutes, and comes back to the export', async () => {
    await signedInAgo(11);
    const refused = await exportAs(admin, { format: 'csv', tokens: 'yes' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('sign in again to export tokens');
    expect(refused.text).not.toContain(orcid);
    // Without tokens, an older sign-in is enough.
    expect((await exportAs(admin, { format: 'csv' })).status).toBe(200);

    const again = await admin.post(`${exportUrl}/sign-in-again`, { _csrf: csrfOf(refused.text) });
    expect(again.status).toBe(303);
    const signIn = await admin.get(again.location!);
    const signedIn = await admin.post(`${p.tenantUrl}/signin/directory`, {
      _csrf: csrfOf(signIn.text),
      username: adminUser,
      password: 'pw',
    });
    expect(signedIn.location).toBe(exportUrl);
    expect((await exportAs(admin, { format: 'csv', tokens: 'yes' })).status).toBe(200);
    // Unconfirmed: refused, naming the box.
    const page = await admin.get(exportUrl);
    const unconfirmed = await admin.post(exportUrl, { _csrf: csrfOf(page.text), format: 'csv' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('confirm');
  });

  it('with token export forbidden, the option is gone and the export with tokens refused', async () => {
    await p.container.repos.tenants.update(p.tenant.id, { tokenExport: false });
    p.container.tenantDirectory.changed(p.tenant.id);
    const before = (await audits()).length;
    const page = await admin.get(exportUrl);
    expect(page.text).toContain('id="tokens-forbidden"');
    expect(page.text).not.toContain('id="tokens"');
    const refused = await exportAs(admin, { format: 'json', tokens: 'yes' });
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain(orcid);
    expect((await audits()).length).toBe(before);
    const cli = await lanyard(['export-links', 'export-uni', '--with-tokens'], env);
    expect(cli.code).toBe(2);
    expect(cli.out).toContain('does not allow its tokens to be exported');
    await p.container.repos.tenants.update(p.tenant.id, { tokenExport: true });
    p.container.tenantDirectory.changed(p.tenant.id);
  });

  it('lanyard export-links writes the same, with tokens when asked, audited as the CLI', async () => {
    const plain = await lanyard(['export-links', 'export-uni', '--format', 'json'], env);
    expect(plain.code).toBe(0);
    const [link] = JSON.parse(plain.out) as Array<Record<string, unknown>>;
    expect(link).toMatchObject({ orcid, local_id: 'EX-RES', link_status: 'active' });
    expect(link).not.toHaveProperty('access_token');
    const withTokens = await lanyard(['export-links', 'export-uni', '--with-tokens'], env);
    expect(withTokens.code).toBe(0);
    const token = withTokens.out.split('\n')[1]!.split(',')[9]!;
    expect((await call(`${sb.api}/v3.0/${orcid}/record`, { token })).status).toBe(200);
    expect((await audits()).slice(-2)).toEqual([
      ['cli', 'json', false],
      ['cli', 'csv', true],
    ]);
    expect((await lanyard(['export-links', 'nowhere'], env)).code).toBe(2);
  });

  it('escapes CSV cells the same in PostgreSQL and in the export code, formulas neutralised', async () => {
    const values = [
      'plain',
      'a,b',
      'say "hi"',
      '=1+2',
      '-x',
      '+x',
      '@x',
      '\tx',
      '\rx',
      'line\nbreak',
      '',
      null,
      'Ånström',
    ];
    const { rows } = await p.db.pool.query<{ cell: string }>(
      'select lanyard_csv_cell(v) as cell from unnest($1::text[]) with ordinality u(v, n) order by n',
      [values],
    );
    expect(rows.map((r) => r.cell)).toEqual(values.map((v) => csvCell(v)));
    expect(csvCell('=1+2')).toBe(`"'=1+2"`);
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
  });

  it('writes a line per item, one for a person without items, and names with commas, quotes and line breaks intact', async () => {
    const { rows } = await p.db.pool.query<{ id: string }>(
      `insert into people (tenant_id, local_id, given_names, family_name)
       values ($1, 'EX-QUOTED', 'Ada, "the first"', E'Love\nlace'), ($1, 'EX-TWO', 'Two', 'Items')
       returning id`,
      [p.tenant.id],
    );
    await p.db.pool.query(
      `insert into orcid_links (tenant_id, person_id, orcid, scope, expires_at, status)
       values ($1, $2, '0000-0002-0000-0001', '/read-limited', now() + interval '1 year', 'active'),
              ($1, $3, '0000-0002-0000-0002', '/read-limited', now() + interval '1 year', 'active')`,
      [p.tenant.id, rows[0]!.id, rows[1]!.id],
    );
    await p.db.pool.query(
      `insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status, put_code, group_id)
       select $1, $2, 'work', k, '{}', 'h', 'present', 'in_orcid', 70 + n, case when n = 1 then 'g,1' end
       from unnest(array['b-key', 'a-key']) with ordinality u(k, n)`,
      [p.tenant.id, rows[1]!.id],
    );
    const res = await exportAs(admin, { format: 'csv' });
    const lines = parse(res.text, { columns: true }) as Record<string, string>[];
    const of = (orcid: string) => lines.filter((l) => l.orcid === orcid);
    expect(of('0000-0002-0000-0001')).toEqual([
      expect.objectContaining({
        given_names: 'Ada, "the first"',
        family_name: 'Love\nlace',
        local_id: 'EX-QUOTED',
        item_section: '',
        item_source_key: '',
        item_put_code: '',
        item_status: '',
      }),
    ]);
    expect(
      of('0000-0002-0000-0002').map((l) => [l.item_source_key, l.item_put_code, l.item_group_id]),
    ).toEqual([
      ['a-key', '72', ''],
      ['b-key', '71', 'g,1'],
    ]);
  });

  it('a download abandoned half-way leaves no COPY running and the next export works', async () => {
    await p.db.pool.query(
      `with ps as (
         insert into people (tenant_id, local_id) select $1, 'BULK-' || g from generate_series(1, 40000) g returning id, local_id)
       insert into orcid_links (tenant_id, person_id, orcid, scope, expires_at, status)
       select $1, id, '0000-0003-' || lpad((substr(local_id, 6)::int / 10000)::text, 4, '0') || '-' || lpad((substr(local_id, 6)::int % 10000)::text, 4, '0'),
         '/read-limited', now() + interval '1 year', 'active' from ps`,
      [p.tenant.id],
    );
    const page = await admin.get(exportUrl);
    const abort = new AbortController();
    const res = await fetch(exportUrl, {
      method: 'POST',
      signal: abort.signal,
      headers: {
        cookie: [...(admin.jar.get(new URL(exportUrl).host) ?? [])].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: csrfOf(page.text), format: 'csv', confirm: 'yes' }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    abort.abort();
    const copies = async () =>
      Number(
        (
          await p.db.pool.query<{ n: string }>(
            `select count(*) as n from pg_stat_activity where query ilike 'copy (%' and pid <> pg_backend_pid()`,
          )
        ).rows[0]!.n,
      );
    await until(async () => (await copies()) === 0, 'the abandoned COPY to end');
    const whole = await exportAs(admin, { format: 'csv' });
    expect(whole.status).toBe(200);
    expect(
      whole.text
        .trim()
        .split('\n')
        .filter((l) => l.includes(',BULK-')).length,
    ).toBe(40000);
  });
});
