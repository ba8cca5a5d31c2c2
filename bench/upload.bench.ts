// A large affiliations CSV uploaded to `npm start`'s demo (its own process: embedded PostgreSQL,
// simulator, web and worker roles in one process) by its administrator, while a connected
// researcher's portal page is requested every 20 ms. Issue #10's targets: at least 20,000 rows
// stated per second, peak RSS of the web and worker under 300 MB, portal p99 under 100 ms.
// BENCH_UPLOAD_ROWS sets the size (default 500,000); BENCH_UPLOAD_PEOPLE the people the rows
// belong to (default 5,000; none of them connected, so nothing is written to ORCID).
//
// One JSON line: rows, seconds (from the POST to the upload's page answering), rows_per_s,
// file_mb, peak_rss_mb (the demo process's high-water mark), portal_p50_ms / portal_p99_ms
// (pages answered during the upload), portal_requests, status (the upload's HTTP answer).
import { readFileSync } from 'node:fs';
import { spawnDemo } from '../test/helpers/demo-process.js';
import { csrfOf, WebClient } from '../test/helpers/web-client.js';

const ROWS = Number(process.env.BENCH_UPLOAD_ROWS ?? 500_000);
const PEOPLE = Number(process.env.BENCH_UPLOAD_PEOPLE ?? 5_000);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : null;
};

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** The process's peak resident set (VmHWM), in MB. */
const peakRssMb = (pid: number) =>
  Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

function csv(rows: number): string {
  const lines = ['local_id,source_key,type,role,department,start_date'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `BENCH-${i % PEOPLE},bench-aff-${i},employment,Role ${i},Department ${i % 50},20${10 + (i % 15)}-0${1 + (i % 9)}`,
    );
  return `${lines.join('\n')}\n`;
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
  const demo = await spawnDemo({ LOG_LEVEL: 'error' });
  try {
    const admin = await signedIn(demo.portal, 'grace');
    const reader = await signedIn(demo.portal, 'ada');
    const body = csv(ROWS);

    let uploading = true;
    const latencies: number[] = [];
    const poll = (async () => {
      while (uploading) {
        const t0 = performance.now();
        const res = await reader.get(demo.portal);
        if (res.status === 200) latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const page = await admin.get(`${demo.portal}admin/`);
    const t0 = performance.now();
    const res = await admin.upload(
      `${demo.portal}admin/uploads?_csrf=${encodeURIComponent(csrfOf(page.text))}`,
      {},
      { field: 'file', filename: 'bench.csv', content: body },
    );
    const seconds = (performance.now() - t0) / 1000;
    uploading = false;
    await poll;
    if (res.status !== 303) throw new Error(`upload refused: ${res.status} ${res.text.slice(0, 500)}`);
    console.log(
      JSON.stringify({
        bench: 'upload',
        scenario: 'affiliations-csv',
        rows: ROWS,
        file_mb: Math.round((Buffer.byteLength(body) / 1024 / 1024) * 10) / 10,
        seconds: Math.round(seconds * 10) / 10,
        rows_per_s: Math.round(ROWS / seconds),
        peak_rss_mb: peakRssMb(demo.child.pid!),
        portal_p50_ms: round(percentile(latencies, 50)),
        portal_p99_ms: round(percentile(latencies, 99)),
        portal_requests: latencies.length,
        status: res.status,
      }),
    );
  } finally {
    await demo.stop();
  }
}
