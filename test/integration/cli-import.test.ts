// `lanyard import`, `lanyard export` and `lanyard admin`: the same all-or-nothing checks as the
// admin area, problems printed by row and column with exit code 2, the accepted upload's id, a
// progress line per change until settled (here with a worker writing to the simulator), and the
// export on standard output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanyard } from '../helpers/cli.js';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { clientItems, newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let p: TestPortal;
let env: Record<string, string>;
let orcid: string;
const dir = mkdtempSync(join(tmpdir(), 'lanyard-import-'));

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true, tenant: { slug: 'cli-uni' } });
  env = { DATABASE_URL: p.db.url, LANYARD_KEYS: p.ring.format() };
  orcid = (await newResearcher(sb.base)).orcid;
  const { web } = await signInToPortal(p, await p.addPerson({ employeeId: 'CLI-1' }));
  expect((await connectInPortal(p, sb.base, web, orcid)).status).toBe(303);
}, 30_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('lanyard import / export', () => {
  it('refuses a bad file with every problem by row and column, exit code 2, nothing stated', async () => {
    const r = await lanyard(
      [
        'import',
        'cli-uni',
        file('bad.csv', 'local_id,source_key,type,start_date\nCLI-1,b1,employment,2020-13\nCLI-1,b2,job,\n'),
      ],
      env,
    );
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('nothing was changed. 2 problem(s)');
    expect(r.out).toContain('row 2, column start_date: "2020-13" has no month 13');
    expect(r.out).toContain('row 3, column type: "job" is not an affiliation type');
    const n = await p.db.pool.query('select count(*) from items where tenant_id = $1', [p.tenant.id]);
    expect(Number(n.rows[0].count)).toBe(0);
    expect((await lanyard(['import', 'nowhere', file('x.csv', 'a')], env)).out).toContain(
      'no organisation with slug nowhere',
    );
    expect((await lanyard(['import', 'cli-uni', file('x.txt', 'a')], env)).code).toBe(2);
  });

  it('accepts a file, follows it to the end with a progress line, and exports it with put codes', async () => {
    const r = await lanyard(
      [
        'import',
        'cli-uni',
        file(
          'staff.csv',
          'local_id,source_key,type,role\nCLI-1,c1,employment,Engineer\nCLI-1,c2,membership,Member\n',
        ),
      ],
      env,
    );
    expect(r.code, r.out).toBe(0);
    const id = /accepted: upload ([0-9a-f-]{36}), 2 rows/.exec(r.out)?.[1];
    expect(id, r.out).toBeDefined();
    expect(r.out).toMatch(/\[#{30}\] 2\/2 {2}in_orcid 2/);
    expect(r.out).toContain(`done: ${id}`);
    expect(await clientItems(sb.base, orcid, p.client.clientId, 'employment')).toHaveLength(1);

    const out = await lanyard(['export', 'cli-uni', id!], env);
    expect(out.code, out.out).toBe(0);
    const [emp] = await clientItems(sb.base, orcid, p.client.clientId, 'employment');
    expect(out.out).toContain(`CLI-1,,,,,c1,employment,Engineer,,,,,,,,,,,,${emp!.putCode},in_orcid,`);
    expect((await lanyard(['export', 'cli-uni', '00000000-0000-0000-0000-000000000000'], env)).code).toBe(2);
  }, 60_000);

  it('grants, lists and revokes the admin role', async () => {
    expect((await lanyard(['admin', 'grant', 'cli-uni', 'CLI-ADMIN'], env)).code).toBe(0);
    expect(await p.container.repos.adminUsers.isAdmin(p.tenant.id, 'CLI-ADMIN')).toBe(true);
    expect((await lanyard(['admin', 'list', 'cli-uni'], env)).out).toMatch(/^CLI-ADMIN\tgranted by cli on /m);
    expect((await lanyard(['admin', 'revoke', 'cli-uni', 'CLI-ADMIN'], env)).code).toBe(0);
    const again = await lanyard(['admin', 'revoke', 'cli-uni', 'CLI-ADMIN'], env);
    expect(again.code).toBe(2);
    expect(again.out).toContain('CLI-ADMIN is not an administrator of cli-uni');
  }, 30_000);
});
