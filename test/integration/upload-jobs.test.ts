// Uploads are checked and stated by a job, not by the web process: a web role alone only stores
// the file (it stays `received`, nothing parsed or stated); the job shows rows checked and rows
// stated (in its transaction) while it works; a problem on the very last row of a large file, or a source key of
// another person, refuses the whole file and leaves nothing behind (no item, no person, no scratch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadService } from '../../src/services/upload.service.js';
import { signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { csrfOf, type WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let uploads: UploadService;

beforeAll(async () => {
  sb = await startTestSandbox();
  // The web role only: no worker takes the stating jobs unless a test runs one.
  p = await startPortal(sb.base, { worker: false, tenant: { slug: 'jobs-uni' } });
  await p.container.repos.adminUsers.grant(p.tenant.id, 'JOB-ADM', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'JOB-ADM' }))).web;
  // What the worker's stating job runs.
  uploads = p.container.uploads;
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

const count = async (table: string, where = '') =>
  Number(
    (await p.db.pool.query(`select count(*) from ${table} where tenant_id = $1 ${where}`, [p.tenant.id]))
      .rows[0].count,
  );

function csv(rows: number, prefix: string, last?: string): string {
  const lines = ['local_id,source_key,type,role,start_date'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${prefix}-P${i % 500},${prefix}-${i},employment,Role ${i},20${10 + (i % 15)}-0${1 + (i % 9)}`,
    );
  if (last) lines.push(last);
  return `${lines.join('\n')}\n`;
}

/** Uploads through the admin area; answers the upload's id (the POST redirects to its page). */
async function upload(filename: string, content: string): Promise<string> {
  const page = await admin.get(`${p.tenantUrl}/admin/`);
  const res = await admin.upload(
    `${p.tenantUrl}/admin/uploads?_csrf=${encodeURIComponent(csrfOf(page.text))}`,
    {},
    { field: 'file', filename, content },
  );
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return /uploads\/([0-9a-f-]{36})$/.exec(res.location!)![1]!;
}

// biome-ignore lint/suspicious/noExplicitAny: progress JSON
const progress = async (id: string): Promise<any> =>
  JSON.parse((await admin.get(`${p.tenantUrl}/admin/uploads/${id}/progress`)).text);

const state = (id: string) => uploads.state(p.tenant.id, id, { finalAttempt: false });

describe('uploads as jobs', () => {
  it('the web process only stores the file: without a worker it stays received, nothing parsed or stated', async () => {
    const people = await count('people');
    const id = await upload('later.csv', csv(3000, 'LATER'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await progress(id)).toMatchObject({ state: 'received', rowsChecked: 0, rowsStated: 0, total: 0 });
    const page = await admin.get(`${p.tenantUrl}/admin/uploads/${id}`);
    expect(page.text).toContain('waiting for a worker');
    expect(await count('upload_file_chunks', `and upload_id = '${id}'`)).toBeGreaterThan(0);
    expect(await count('upload_row_pages')).toBe(0);
    expect(await count('items')).toBe(0);
    expect(await count('people')).toBe(people);

    // The job a worker would take: checked and stated, its pieces of file gone.
    await state(id);
    expect(await progress(id)).toMatchObject({
      state: 'accepted',
      rowsChecked: 3000,
      rowsStated: 3000,
      total: 3000,
    });
    expect(await count('items', `and source_key like 'LATER-%'`)).toBe(3000);
    expect(await count('people')).toBe(people + 500);
    expect(await count('upload_file_chunks', `and upload_id = '${id}'`)).toBe(0);
    // Rows 2 to 3001, in pages of a thousand row numbers.
    expect(await count('upload_row_pages', `and upload_id = '${id}'`)).toBe(4);
  }, 60_000);

  it('shows rows checked and rows stated growing while the job works', async () => {
    const total = 60_000;
    const id = await upload('large.csv', csv(total, 'BIG'));
    const analyzed = async () =>
      Number(
        (await p.db.pool.query(`select analyze_count from pg_stat_user_tables where relname = 'items'`))
          .rows[0].analyze_count,
      );
    const analyzedBefore = await analyzed();
    const seen: Array<{ state: string; rowsChecked: number; rowsStated: number }> = [];
    let done = false;
    const job = state(id).finally(() => {
      done = true;
    });
    while (!done) {
      const { state, rowsChecked, rowsStated } = await progress(id);
      seen.push({ state, rowsChecked, rowsStated });
      await new Promise((r) => setTimeout(r, 40));
    }
    await job;
    expect(
      seen.some((s) => s.state === 'checking' && s.rowsChecked > 0 && s.rowsChecked < total),
      JSON.stringify(seen),
    ).toBe(true);
    // Ranges are stated while later rows are still being checked.
    expect(
      seen.some((s) => s.state === 'checking' && s.rowsStated > 0 && s.rowsChecked < total),
      JSON.stringify(seen),
    ).toBe(true);
    for (const s of seen) expect(s.rowsStated).toBeLessThanOrEqual(s.rowsChecked);
    // Counts only go up.
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.rowsChecked).toBeGreaterThanOrEqual(seen[i - 1]!.rowsChecked);
      expect(seen[i]!.rowsStated).toBeGreaterThanOrEqual(seen[i - 1]!.rowsStated);
    }
    expect(await progress(id)).toMatchObject({ state: 'accepted', rowsStated: total, total });
    // Once 20,000 rows were stated the items' statistics were refreshed, so that kept plans (the
    // portal page's) see the upload's rows.
    expect(await analyzed()).toBeGreaterThan(analyzedBefore);
  }, 120_000);

  it('a problem on the last row of a large file, after ranges were stated, refuses it whole: no item, no person, no scratch', async () => {
    const [people, items] = [await count('people'), await count('items')];
    const id = await upload(
      'last-row.csv',
      csv(55_000, 'LAST', 'LAST-NEW,last-bad,employment,Role,2020-02-30'),
    );
    let statedBefore = 0;
    const job = state(id);
    for (let done = false; !done; ) {
      done = await Promise.race([
        job.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 40)),
      ]);
      statedBefore = Math.max(statedBefore, (await progress(id)).rowsStated);
    }
    // Ranges were stated inside the job's transaction before the last row was read.
    expect(statedBefore).toBeGreaterThanOrEqual(25_000);
    const end = await progress(id);
    expect(end).toMatchObject({ state: 'refused', rowsChecked: 55_001, rowsStated: 0, problemCount: 1 });
    const page = (await admin.get(`${p.tenantUrl}/admin/uploads/${id}`)).text;
    expect(page).toContain('nothing was changed');
    expect(page).toContain('<td>55002</td><td>start_date</td>');
    expect(await count('people')).toBe(people);
    expect(await count('items')).toBe(items);
    expect(await count('upload_row_pages', `and upload_id = '${id}'`)).toBe(0);
    expect(await count('upload_file_chunks', `and upload_id = '${id}'`)).toBe(0);
  }, 60_000);

  it("a row naming another person's item refuses the file: nothing of it stated, the owner's item unchanged", async () => {
    const first = await upload(
      'owner.csv',
      'local_id,source_key,type,role,start_date\nOWN-A,own-1,employment,Owner role,2020-01\n',
    );
    await state(first);
    expect(await progress(first)).toMatchObject({ state: 'accepted' });
    const [people, items] = [await count('people'), await count('items')];
    const id = await upload(
      'taker.csv',
      'local_id,source_key,type,role,start_date\nOWN-NEW,own-2,employment,New role,2021-01\nOWN-B,own-1,employment,Taken role,2022-01\n',
    );
    await state(id);
    expect(await progress(id)).toMatchObject({ state: 'refused', rowsStated: 0, problemCount: 1 });
    const page = (await admin.get(`${p.tenantUrl}/admin/uploads/${id}`)).text;
    expect(page).toContain('own-1 already belongs to another person (OWN-A).');
    expect(await count('people')).toBe(people);
    expect(await count('items')).toBe(items);
    const owned = await p.db.pool.query(
      `select i.payload->>'role-title' as role, p.local_id from items i join people p on p.id = i.person_id
       where i.tenant_id = $1 and i.source_key = 'own-1'`,
      [p.tenant.id],
    );
    expect(owned.rows).toEqual([{ role: 'Owner role', local_id: 'OWN-A' }]);
  }, 60_000);

  it('a key repeated in a later range of the file, for another person, is named as repeated, and nothing is stated', async () => {
    const [people, items] = [await count('people'), await count('items')];
    const id = await upload('repeat.csv', csv(26_000, 'REP', 'REP-OTHER,REP-3,employment,Role,2020-01'));
    await state(id);
    expect(await progress(id)).toMatchObject({
      state: 'refused',
      rowsChecked: 26_001,
      rowsStated: 0,
      problemCount: 1,
    });
    const page = (await admin.get(`${p.tenantUrl}/admin/uploads/${id}`)).text;
    expect(page).toContain('<td>26002</td><td>source_key</td><td>REP-3 is already on row 5.</td>');
    expect(await count('people')).toBe(people);
    expect(await count('items')).toBe(items);
  }, 60_000);

  it('what a later range says of a person an earlier range stated is kept; what it leaves out is not erased', async () => {
    // Rows 1-3 and 25,001-25,003 fall in different ranges of the job's transaction.
    const lines = ['local_id,source_key,type,role,start_date,email,given_names,family_name'];
    const row = (i: number, person: string, values: string) =>
      lines.push(`${person},ppl-${i},employment,Role,2020-01,${values}`);
    row(0, 'PPL-A', 'a@old.example,Ann,Early');
    row(1, 'PPL-B', 'b@example.org,Bea,Same');
    row(2, 'PPL-C', ',,');
    for (let i = 3; i < 25_000; i++) row(i, `PPL-F${i % 100}`, ',,');
    row(25_000, 'PPL-A', 'a@new.example,,Late');
    row(25_001, 'PPL-B', 'b@example.org,Bea,Same');
    row(25_002, 'PPL-C', 'c@example.org,,');
    const id = await upload('people.csv', `${lines.join('\n')}\n`);
    await state(id);
    expect(await progress(id)).toMatchObject({ state: 'accepted', rowsStated: 25_003 });
    const people = await p.db.pool.query(
      `select local_id, email, given_names, family_name from people
       where tenant_id = $1 and local_id in ('PPL-A', 'PPL-B', 'PPL-C') order by local_id`,
      [p.tenant.id],
    );
    expect(people.rows).toEqual([
      { local_id: 'PPL-A', email: 'a@new.example', given_names: 'Ann', family_name: 'Late' },
      { local_id: 'PPL-B', email: 'b@example.org', given_names: 'Bea', family_name: 'Same' },
      { local_id: 'PPL-C', email: 'c@example.org', given_names: null, family_name: null },
    ]);
  }, 60_000);

  it('what an attempt that stopped in the middle left is cleared when the job starts over', async () => {
    const id = await upload('again.csv', csv(1500, 'AGAIN'));
    // A page written beside a transaction that never committed (the worker was killed).
    await p.db.pool.query(
      `insert into upload_row_pages (upload_id, tenant_id, first_row, row_numbers, source_keys, rows)
       values ($1, $2, 2, '{2}', '{AGAIN-0}', '[{"local_id": "AGAIN-P0"}]')`,
      [id, p.tenant.id],
    );
    expect((await progress(id)).total).toBe(0);
    await state(id);
    expect(await progress(id)).toMatchObject({ state: 'accepted', rowsStated: 1500, total: 1500 });
    expect(await count('upload_row_pages', `and upload_id = '${id}'`)).toBe(2);
    const exported = (await admin.get(`${p.tenantUrl}/admin/uploads/${id}/export`)).text.trim().split('\n');
    expect(exported).toHaveLength(1501);
    // Row 2 once, as uploaded (the stray page held it without its columns).
    expect(exported.filter((l) => l.includes(',AGAIN-0,'))).toEqual([
      'AGAIN-P0,,,,,AGAIN-0,employment,Role 0,,2010-01,,,,,,,,,,,pending,',
    ]);
  }, 60_000);
});
