// The console's overview: each chart's table holds the organisation's real figures (links by
// state, token health, items by section and status, calls per day by outcome, freshness), its CSV
// says the same, and the charts' scripts are served from the installation, never a CDN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInPortal, signInToPortal, startPortal, type TestPortal } from '../helpers/portal.js';
import { newResearcher, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import type { WebClient } from '../helpers/web-client.js';

let sb: TestSandbox;
let p: TestPortal;
let admin: WebClient;
let overview: string;

/** A chart's table as label → numbers. */
function table(html: string, id: string): Record<string, number[]> {
  const t = new RegExp(`<table id="table-${id}">([\\s\\S]*?)</table>`).exec(html)![1]!;
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(t)![1]!;
  return Object.fromEntries(
    [...body.matchAll(/<tr><th scope="row">([^<]*)<\/th>((?:<td>[^<]*<\/td>)*)<\/tr>/g)].map((m) => [
      m[1]!,
      [...m[2]!.matchAll(/<td>([^<]*)<\/td>/g)].map((c) => Number(c[1])),
    ]),
  );
}

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { worker: true });
  overview = `${p.tenantUrl}/admin/overview`;
  await p.container.repos.adminUsers.grant(p.tenant.id, 'OV-ADMIN', 'test');
  admin = (await signInToPortal(p, await p.addPerson({ employeeId: 'OV-ADMIN' }))).web;
  for (const id of ['OV-1', 'OV-2']) {
    const { web } = await signInToPortal(p, await p.addPerson({ employeeId: id }));
    expect((await connectInPortal(p, sb.base, web, (await newResearcher(sb.base)).orcid)).status).toBe(303);
  }
  // OV-2 leaves: disconnected.
  const { rows } = await p.db.pool.query<{ id: string }>(`select id from people where local_id = 'OV-2'`);
  await p.container.disconnect.disconnect(p.tenant, rows[0]!.id, 'admin:OV-ADMIN');
  // The worker reads the connected record once after the connect.
  for (let i = 0; i < 200; i++) {
    const read = await p.db.pool.query(
      `select 1 from orcid_links where status = 'active' and synced_at is not null`,
    );
    if (read.rowCount) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await p.container.repos.people.upsertByLocalId(p.tenant.id, 'OV-3', {});
  await p.container.intake.stateItem(p.tenant.id, 'OV-3', {
    section: 'employment',
    sourceKey: 'ov-3-emp',
    payload: { 'role-title': 'Waiting', 'start-date': { year: { value: '2024' } } },
  });
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

describe('the overview', () => {
  it('shows the organisation’s figures in each chart’s table', async () => {
    const page = await admin.get(overview);
    expect(page.status).toBe(200);
    expect(table(page.text, 'links')).toMatchObject({
      connected: [1],
      disconnected: [1],
      'permission expired': [0],
    });
    // Both connections were granted this week.
    const weeks = Object.values(table(page.text, 'connections'));
    expect(weeks.at(-1)).toEqual([2]);
    expect(weeks).toHaveLength(26);
    expect(table(page.text, 'token-health')['all active']).toEqual([1]);
    expect(table(page.text, 'items').employment).toEqual([1]);
    const calls = (
      await p.db.pool.query<{ ok: string }>(
        `select count(*) filter (where status < 400) as ok from orcid_calls where tenant_id = $1`,
        [p.tenant.id],
      )
    ).rows[0]!;
    const days = Object.values(table(page.text, 'calls'));
    expect(days).toHaveLength(30);
    expect(days.at(-1)![0]).toBe(Number(calls.ok));
    expect(table(page.text, 'freshness')['within a day']).toEqual([1]);
    // Drawn by the installation's own chart.js.
    expect(page.text).toContain('<script src="/assets/chart.umd.js"');
    expect(page.text).not.toMatch(/<script src="https?:/);
    const js = await admin.get(`${p.base}/assets/chart.umd.js`);
    expect(js.status).toBe(200);
    expect(js.text.length).toBeGreaterThan(100_000);
  });

  it('offers each chart’s numbers as CSV, and refuses an unknown chart', async () => {
    const csv = await admin.get(`${overview}/links/csv`);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n').slice(0, 3)).toEqual([
      'Connection,Connections',
      'connected,1',
      'disconnected,1',
    ]);
    expect((await admin.get(`${overview}/nothing/csv`)).status).toBe(404);
    const es = await admin.get(`${overview}/links/csv?lang=es`);
    expect(es.text.split('\n')[1]).toBe('conectada,1');
  });
});
