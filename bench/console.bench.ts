// The organisation's console under an organisation's real size, with the web role as its own
// process (`lanyard serve --role web`) on an embedded PostgreSQL and the demo organisation.
// - people-page: 100,000 people (BENCH_CONSOLE_PEOPLE): a third connected, some disconnected,
//   a fifth with items in every status, a tenth invited. A signed-in administrator asks for the
//   people page with 20 searches, filters and sorts, and for pages deep in the list by key; each
//   request is timed from the request to the whole page. Issue #14's target: p99 <= 100 ms.
//
// One JSON line per scenario: people, requests, p50_ms, p99_ms, max_ms, and the slowest
// combination's own p99 (slowest, slowest_p99_ms).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/schema.js';
import { openPlatform } from '../src/platform.js';
import { seedDemoOrganisation } from '../src/services/demo-organisation.js';
import { freePort } from '../test/helpers/demo-process.js';
import { csrfOf, WebClient } from '../test/helpers/web-client.js';
import { benchContainer, spawnRole, stopRole } from './role-process.js';

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
async function populate(db: Kysely<Database>, tenantId: string) {
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

export async function run(): Promise<void> {
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
    await populate(platform.db.db, tenant.id);
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
      const people = `${portal}admin/people`;
      const timed = async (url: string) => {
        const t0 = performance.now();
        const page = await admin.get(url);
        const ms = performance.now() - t0;
        if (page.status !== 200) throw new Error(`${url}: ${page.status}`);
        return { ms, text: page.text };
      };
      // Pages deep in the list: the 20th page by name, reached by following "next".
      let deep = people;
      for (let i = 0; i < 20; i++) {
        const m = /<a rel="next" href="([^"]+)"/.exec((await timed(deep)).text);
        if (!m) break;
        deep = new URL(m[1]!.replaceAll('&amp;', '&'), publicUrl).href;
      }
      const urls = [...COMBINATIONS.map((q) => `${people}${q}`), deep];
      for (const url of urls) await timed(url);
      const all: number[] = [];
      const each = new Map<string, number[]>();
      for (let r = 0; r < ROUNDS; r++)
        for (const url of urls) {
          const { ms } = await timed(url);
          all.push(ms);
          each.set(url, [...(each.get(url) ?? []), ms]);
        }
      const [slowest, times] = [...each].sort((a, b) => percentile(b[1], 99) - percentile(a[1], 99))[0]!;
      console.log(
        JSON.stringify({
          bench: 'console',
          scenario: 'people-page',
          people: PEOPLE,
          combinations: urls.length,
          requests: all.length,
          p50_ms: round(percentile(all, 50)),
          p99_ms: round(percentile(all, 99)),
          max_ms: round(Math.max(...all)),
          slowest: slowest.replace(people, '') || '(first page)',
          slowest_p99_ms: round(percentile(times, 99)),
        }),
      );
    } finally {
      await stopRole(web);
    }
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
