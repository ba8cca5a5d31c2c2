// The organisation's console under an organisation's real size, with the web role as its own
// process (`lanyard serve --role web`) on an embedded PostgreSQL and the demo organisation.
// `npm run bench -- console [people-page|export|call-log-filter]` (all three by default):
// - people-page: 100,000 people (BENCH_CONSOLE_PEOPLE): a third connected, some disconnected,
//   a fifth with items in every status, a tenth invited. A signed-in administrator asks for the
//   people page with 20 searches, filters and sorts, and for pages deep in the list by key; each
//   request is timed from the request to the whole page. Issue #14's target: p99 <= 100 ms.
//   JSON: people, requests, p50_ms, p99_ms, max_ms, and the slowest combination's own p99.
// - export: 1,000,000 links (BENCH_EXPORT_LINKS) with real sealed tokens and 5 items each; the
//   administrator downloads the CSV with tokens, read as a stream. Targets: seconds <= 60 and the
//   web process's peak_rss_mb <= 250. JSON: links, lines, mb, seconds, peak_rss_mb.
// - call-log-filter: 2,000,000 calls (BENCH_CALLS) over 90 days and 20,000 iDs; 20 filters of the
//   call log page, each timed. Target: p99 <= 200 ms. JSON as people-page.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { seal } from '../src/crypto/seal.js';
import type { Database } from '../src/db/schema.js';
import type { Platform } from '../src/platform.js';
import { openPlatform } from '../src/platform.js';
import { seedDemoOrganisation } from '../src/services/demo-organisation.js';
import { freePort } from '../test/helpers/demo-process.js';
import { csrfOf, WebClient } from '../test/helpers/web-client.js';
import { benchContainer, peakRssMb, spawnRole, stopRole } from './role-process.js';

const PEOPLE = Number(process.env.BENCH_CONSOLE_PEOPLE ?? 100_000);
const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 20);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (v: number) => Math.round(v * 10) / 10;

/** 20 searches, filters and sorts an administrator would use. */
const COMBINATIONS = [
  '',
  '?sort=local_id',
  '?sort=added&order=desc',
  '?order=desc',
  '?q=family0420',
  '?q=p1234',
  '?q=given77',
  '?q=bench.example',
  '?q=0000-0001-0000-4242',
  '?link=active',
  '?link=revoked',
  '?link=never',
  '?link=never&sort=added&order=desc',
  '?item=failed',
  '?item=pending',
  '?item=in_orcid&sort=local_id',
  '?invited=yes',
  '?invited=no&link=never',
  '?link=active&item=failed',
  '?q=family&link=active&sort=added',
];

/** The organisation's people, links, items and invitations, in a few set-based statements. */
async function populatePeople(db: Kysely<Database>, tenantId: string) {
  await sql`insert into people (tenant_id, local_id, given_names, family_name, email, created_at)
    select ${tenantId}::uuid, 'P' || lpad(g::text, 6, '0'), 'Given' || (g % 1000), 'Family' || lpad((g % 5000)::text, 4, '0'),
      'p' || g || '@bench.example.org', now() - make_interval(mins => g)
    from generate_series(1, ${PEOPLE}) g`.execute(db);
  // A third connected; one in twenty disconnected.
  await sql`insert into orcid_links (tenant_id, person_id, orcid, scope, expires_at, status, revoked_at, revoked_by)
    select p.tenant_id, p.id, '0000-0001-' || lpad((n / 10000)::text, 4, '0') || '-' || lpad((n % 10000)::text, 4, '0'),
      '/read-limited /activities/update', now() + interval '20 years',
      case when n % 20 = 0 then 'revoked' else 'active' end,
      case when n % 20 = 0 then now() end, case when n % 20 = 0 then 'researcher' end
    from (select id, tenant_id, row_number() over (order by local_id) as n from people where tenant_id = ${tenantId}) p
    where n % 3 = 0 or n % 20 = 0`.execute(db);
  // A fifth have five items each, in every status.
  await sql`insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status)
    select p.tenant_id, p.id, 'employment', p.local_id || '-' || k, '{}', 'h', 'present',
      (array['pending','queued','in_orcid','in_orcid','failed','invalid','deleted','record_unavailable'])[1 + (p.n + k) % 8]
    from (select id, tenant_id, local_id, row_number() over (order by local_id) as n from people where tenant_id = ${tenantId}) p,
      generate_series(1, 5) k
    where p.n % 5 = 1`.execute(db);
  await sql`insert into invitations (tenant_id, person_id, email, sent_at)
    select tenant_id, id, email, now() from people where tenant_id = ${tenantId} and local_id like '%0'`.execute(
    db,
  );
  await sql`analyze`.execute(db);
}

const EXPORT_LINKS = Number(process.env.BENCH_EXPORT_LINKS ?? 1_000_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 2_000_000);

/** Links with real sealed tokens (as connect stores them) and 5 written items per person. */
async function populateLinks(platform: Platform, tenantId: string) {
  const db = platform.db.db;
  const BATCH = 10_000;
  for (let from = 0; from < EXPORT_LINKS; from += BATCH) {
    const n = Math.min(BATCH, EXPORT_LINKS - from);
    const people: string[] = [];
    const links: string[] = [];
    const orcids: string[] = [];
    const sealed: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = from + i;
      const orcid = `0000-0002-${String(Math.floor(k / 10_000)).padStart(4, '0')}-${String(k % 10_000).padStart(4, '0')}`;
      const link = randomUUID();
      people.push(randomUUID());
      links.push(link);
      orcids.push(orcid);
      const token = {
        access_token: randomUUID(),
        token_type: 'bearer',
        refresh_token: randomUUID(),
        expires_in: 631138518,
        scope: '/read-limited /activities/update',
        name: null,
        orcid,
      };
      sealed.push(
        seal(platform.ring, JSON.stringify(token), {
          table: 'orcid_links',
          column: 'token_sealed',
          row: link,
        }),
      );
    }
    await sql`insert into people (id, tenant_id, local_id, given_names, family_name, email)
      select id, ${tenantId}::uuid, 'X' || lpad((${from}::int + n - 1)::text, 7, '0'), 'Given' || n, 'Family' || n, null
      from unnest(${people}::uuid[]) with ordinality as u(id, n)`.execute(db);
    await sql`insert into orcid_links (id, tenant_id, person_id, orcid, scope, expires_at, status, token_sealed)
      select l, ${tenantId}::uuid, p, o, '/read-limited /activities/update', now() + interval '20 years', 'active', t
      from unnest(${links}::uuid[], ${people}::uuid[], ${orcids}::text[], ${sealed}::text[]) as u(l, p, o, t)`.execute(
      db,
    );
    await sql`insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state,
        status, put_code, put_code_orcid, group_id)
      select ${tenantId}::uuid, p, 'employment', o || '-' || k, '{}', 'h', 'present', 'in_orcid', 1000 + k, o, null
      from unnest(${people}::uuid[], ${orcids}::text[]) as u(p, o), generate_series(1, 5) k`.execute(db);
  }
  await sql`analyze`.execute(db);
}

/** Calls over 90 days, for 20,000 iDs (a tenth of them a connected person's), in every outcome. */
async function populateCalls(db: Kysely<Database>, tenantId: string) {
  await sql`insert into people (tenant_id, local_id) select ${tenantId}::uuid, 'C' || g from generate_series(1, 2000) g`.execute(
    db,
  );
  await sql`insert into orcid_links (tenant_id, person_id, orcid, scope, expires_at, status)
    select ${tenantId}::uuid, p.id, '0000-0003-0000-' || lpad(substr(p.local_id, 2), 4, '0'), '/read-limited', now() + interval '20 years', 'active'
    from people p where p.tenant_id = ${tenantId} and p.local_id like 'C%'`.execute(db);
  const BATCH = 200_000;
  for (let from = 0; from < CALLS; from += BATCH)
    await sql`insert into orcid_calls (tenant_id, orcid, method, url, status, error_code, response_body, duration_ms, created_at)
      select ${tenantId}::uuid, o, m, 'https://api.sandbox.orcid.org/v3.0/' || o || '/' || s || case when m = 'POST' then '' else '/' || (g % 100000) end,
        st, case when st in (400, 404, 409) then (array[9010, 9016, 9021, 9044])[1 + g % 4] end,
        '{"ok":true}', 5 + g % 200, now() - make_interval(secs => (${CALLS}::int - g) * (90 * 86400.0 / ${CALLS}::int))
      from (select g, '0000-0003-0000-' || lpad((1 + g % 20000)::text, 4, '0') as o,
          (array['GET','GET','GET','POST','PUT','DELETE'])[1 + g % 6] as m,
          (array['record','works','work','employment','education','funding','peer-review','keywords'])[1 + (g / 7) % 8] as s,
          case when g % 100 < 90 then 200 when g % 100 < 95 then 201 when g % 100 < 97 then 204 when g % 1000 < 985 then 404
            when g % 1000 < 995 then 409 when g % 10000 < 9990 then 500 end as st
        from generate_series(${from + 1}::int, ${Math.min(from + BATCH, CALLS)}::int) g) c`.execute(db);
  await sql`analyze`.execute(db);
}

const CALL_FILTERS = [
  '',
  '?method=DELETE',
  '?method=POST&path=/employment',
  '?path=/peer-review',
  '?path=/keywords/42',
  '?status=404',
  '?status=409',
  '?status=500',
  '?status=none',
  '?status=4xx',
  '?code=9044',
  '?code=9010&method=PUT',
  '?orcid=0000-0003-0000-1234',
  '?orcid=0000-0003-0000-1234&method=GET',
  '?person=C42',
  '?person=C1999&status=2xx',
  '?from=2026-10-01&to=2026-10-02',
  '?from=2026-11-01&status=500',
  '?path=/funding&from=2026-09-15&to=2026-09-30',
  '?orcid=0000-0003-0000-0001&path=/works',
];

interface Session {
  admin: WebClient;
  portal: string;
  webPid: number;
}

/** The platform with the demo organisation, `fill`ed, and its web role with grace signed in. */
async function withConsole(
  fill: (p: Platform, tenantId: string) => Promise<void>,
  measure: (s: Session) => Promise<void>,
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanyard-bench-console-'));
  const platform = await openPlatform(
    loadConfig({
      LANYARD_DATA_DIR: dataDir,
      LANYARD_EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'error',
    }),
  );
  try {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const parts = benchContainer(platform);
    const tenant = await seedDemoOrganisation(parts.repos, parts.directory, publicUrl);
    await fill(platform, tenant.id);
    const web = await spawnRole('web', {
      DATABASE_URL: platform.url,
      LANYARD_KEYS: platform.ring.format(),
      LANYARD_PORT: String(port),
      LANYARD_PUBLIC_URL: publicUrl,
    });
    try {
      const portal = `${publicUrl}/o/${tenant.slug}/`;
      const admin = new WebClient();
      const signIn = await admin.get(portal);
      const res = await admin.post(`${portal}signin/directory`, {
        _csrf: csrfOf(signIn.text),
        username: 'grace',
        password: 'password',
      });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
      await measure({ admin, portal, webPid: web.pid! });
    } finally {
      await stopRole(web);
    }
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Each URL timed ROUNDS times (after one warm-up), as a JSON line. */
async function timedPages(
  s: Session,
  scenario: string,
  base: string,
  urls: string[],
  extra: Record<string, unknown>,
) {
  const timed = async (url: string) => {
    const t0 = performance.now();
    const page = await s.admin.get(url);
    if (page.status !== 200) throw new Error(`${url}: ${page.status}`);
    return performance.now() - t0;
  };
  for (const url of urls) await timed(url);
  const all: number[] = [];
  const each = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++)
    for (const url of urls) {
      const ms = await timed(url);
      all.push(ms);
      each.set(url, [...(each.get(url) ?? []), ms]);
    }
  const [slowest, times] = [...each].sort((a, b) => percentile(b[1], 99) - percentile(a[1], 99))[0]!;
  console.log(
    JSON.stringify({
      bench: 'console',
      scenario,
      ...extra,
      combinations: urls.length,
      requests: all.length,
      p50_ms: round(percentile(all, 50)),
      p99_ms: round(percentile(all, 99)),
      max_ms: round(Math.max(...all)),
      slowest: slowest.replace(base, '') || '(first page)',
      slowest_p99_ms: round(percentile(times, 99)),
    }),
  );
}

async function peoplePage(): Promise<void> {
  await withConsole(
    (p, tenantId) => populatePeople(p.db.db, tenantId),
    async (s) => {
      const people = `${s.portal}admin/people`;
      // A page deep in the list: the 20th by name, reached by following "next".
      let deep = people;
      for (let i = 0; i < 20; i++) {
        const m = /<a rel="next" href="([^"]+)"/.exec((await s.admin.get(deep)).text);
        if (!m) break;
        deep = new URL(m[1]!.replaceAll('&amp;', '&'), s.portal).href;
      }
      await timedPages(s, 'people-page', people, [...COMBINATIONS.map((q) => `${people}${q}`), deep], {
        people: PEOPLE,
      });
    },
  );
}

async function exportWithTokens(): Promise<void> {
  await withConsole(populateLinks, async (s) => {
    const url = `${s.portal}admin/export`;
    const page = await s.admin.get(url);
    const cookie = [...(s.admin.jar.get(new URL(url).host) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
    const before = peakRssMb(s.webPid);
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(page.text), format: 'csv', tokens: 'yes', confirm: 'yes' }),
    });
    if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      // indexOf, not a loop over bytes: the reader must not be what limits the export.
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = buf.indexOf(10); at !== -1; at = buf.indexOf(10, at + 1)) lines++;
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      JSON.stringify({
        bench: 'console',
        scenario: 'export',
        links: EXPORT_LINKS,
        lines,
        mb: round(bytes / 1e6),
        seconds: round(seconds),
        lines_per_s: Math.round(lines / seconds),
        peak_rss_mb: peakRssMb(s.webPid),
        peak_rss_mb_before: before,
      }),
    );
  });
}

async function callLogFilter(): Promise<void> {
  await withConsole(
    (p, tenantId) => populateCalls(p.db.db, tenantId),
    async (s) => {
      const calls = `${s.portal}admin/calls`;
      await timedPages(
        s,
        'call-log-filter',
        calls,
        CALL_FILTERS.map((q) => `${calls}${q}`),
        { calls: CALLS },
      );
    },
  );
}

const SCENARIOS: Record<string, () => Promise<void>> = {
  'people-page': peoplePage,
  export: exportWithTokens,
  'call-log-filter': callLogFilter,
};

export async function run(args: string[]): Promise<void> {
  const chosen = args.length ? args : Object.keys(SCENARIOS);
  for (const name of chosen) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}: ${Object.keys(SCENARIOS).join(', ')}`);
    await scenario();
  }
}
