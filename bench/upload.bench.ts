// A large affiliations CSV uploaded through the admin area while a signed-in researcher's portal
// page is requested every 20 ms. The platform runs as in production: `lanyard serve --role web`
// and `lanyard serve --role worker` as their own processes, sharing one PostgreSQL (embedded,
// started here) with this process; the demo organisation is seeded into it. Issue #10's targets on
// this 2-core machine: at least 20,000 rows stated per second, peak RSS of the web and of the
// worker under 300 MB, portal p99 under 100 ms.
// BENCH_UPLOAD_ROWS sets the size (default 500,000); BENCH_UPLOAD_PEOPLE the people the rows
// belong to (default 5,000; none of them connected, so nothing is written to ORCID).
//
// One JSON line: rows, file_mb, received_s (the POST answered: the file is stored), first_progress_s
// (rows checked first seen above 0), checked_s (every row checked), seconds (POST to accepted),
// rows_per_s (rows / seconds), peak_rss_mb_web / peak_rss_mb_worker (each process's high-water
// mark), portal_p50_ms / portal_p99_ms / portal_max_ms (pages answered from the POST to accepted),
// portal_requests, state (the upload's end state).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openPlatform } from '../src/platform.js';
import { seedDemoOrganisation } from '../src/services/demo-organisation.js';
import { freePort } from '../test/helpers/demo-process.js';
import { spawnSandbox } from '../test/helpers/sandbox-process.js';
import { csrfOf, WebClient } from '../test/helpers/web-client.js';
import { benchContainer, peakRssMb, spawnRole, stopRole } from './role-process.js';

const ROWS = Number(process.env.BENCH_UPLOAD_ROWS ?? 500_000);
const PEOPLE = Number(process.env.BENCH_UPLOAD_PEOPLE ?? 5_000);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : null;
};

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function csv(rows: number): Buffer {
  const lines = ['local_id,source_key,type,role,department,start_date'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `BENCH-${i % PEOPLE},bench-aff-${i},employment,Role ${i},Department ${i % 50},20${10 + (i % 15)}-0${1 + (i % 9)}`,
    );
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function signedIn(portal: string, username: string): Promise<WebClient> {
  const web = new WebClient();
  const page = await web.get(portal);
  const res = await web.post(`${portal}signin/directory`, {
    _csrf: csrfOf(page.text),
    username,
    password: 'password',
  });
  if (res.status !== 303) throw new Error(`sign-in as ${username} failed: ${res.status}`);
  return web;
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanyard-bench-upload-'));
  const platform = await openPlatform(
    loadConfig({
      LANYARD_DATA_DIR: dataDir,
      LANYARD_EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'error',
    }),
  );
  const sandbox = await spawnSandbox();
  const roles: ChildProcess[] = [];
  try {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const parts = benchContainer(platform, sandbox.base);
    const tenant = await seedDemoOrganisation(parts.repos, parts.directory, publicUrl);
    const env = {
      DATABASE_URL: platform.url,
      LANYARD_KEYS: platform.ring.format(),
      LANYARD_LOCAL_ORCID_URL: sandbox.base,
      LANYARD_PORT: String(port),
      LANYARD_PUBLIC_URL: publicUrl,
    };
    const web = await spawnRole('web', env);
    const worker = await spawnRole('worker', env);
    roles.push(web, worker);
    const portal = `${publicUrl}/o/${tenant.slug}/`;
    const admin = await signedIn(portal, 'grace');
    const reader = await signedIn(portal, 'ada');
    const body = csv(ROWS);

    let uploading = true;
    const latencies: number[] = [];
    const poll = (async () => {
      while (uploading) {
        const t0 = performance.now();
        const res = await reader.get(portal);
        if (res.status === 200) latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const form = await admin.get(`${portal}admin/`);
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const res = await admin.upload(
      `${portal}admin/uploads?_csrf=${encodeURIComponent(csrfOf(form.text))}`,
      {},
      { field: 'file', filename: 'bench.csv', content: body },
    );
    const receivedS = elapsed();
    if (res.status !== 303) throw new Error(`upload refused: ${res.status} ${res.text.slice(0, 500)}`);
    const uploadId = /uploads\/([0-9a-f-]{36})/.exec(res.headers.get('location') ?? '')?.[1];
    if (!uploadId) throw new Error(`no upload in ${res.headers.get('location')}`);

    let firstProgressS: number | null = null;
    let checkedS: number | null = null;
    let state = 'received';
    while (!['accepted', 'refused', 'failed'].includes(state)) {
      await new Promise((r) => setTimeout(r, 100));
      const u = await platform.db.db
        .selectFrom('uploads')
        .select(['state', 'rows_checked'])
        .where('tenant_id', '=', tenant.id)
        .where('id', '=', uploadId)
        .executeTakeFirstOrThrow();
      state = u.state;
      if (firstProgressS === null && u.rows_checked > 0) firstProgressS = elapsed();
      if (checkedS === null && u.state !== 'received' && u.state !== 'checking') checkedS = elapsed();
    }
    const seconds = elapsed();
    uploading = false;
    await poll;
    console.log(
      JSON.stringify({
        bench: 'upload',
        scenario: 'affiliations-csv',
        rows: ROWS,
        file_mb: Math.round((body.byteLength / 1024 / 1024) * 10) / 10,
        received_s: round(receivedS),
        first_progress_s: round(firstProgressS),
        checked_s: round(checkedS),
        seconds: round(seconds),
        rows_per_s: Math.round(ROWS / seconds),
        peak_rss_mb_web: peakRssMb(web.pid!),
        peak_rss_mb_worker: peakRssMb(worker.pid!),
        portal_p50_ms: round(percentile(latencies, 50)),
        portal_p99_ms: round(percentile(latencies, 99)),
        portal_max_ms: round(Math.max(...latencies)),
        portal_requests: latencies.length,
        state,
      }),
    );
  } finally {
    for (const r of roles) await stopRole(r);
    await sandbox.stop();
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
