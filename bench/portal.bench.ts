// The researcher portal under load, on `npm start`'s demo (its own process: embedded
// PostgreSQL, simulator, web and worker), autocannon on the same 2 cores:
// - portal-page: a signed-in, connected researcher's page (session, person, link, snapshot,
//   CSRF token, render). Target (issue #4): at least 1,500 req/s with p99 under 50 ms. Also
//   `baseline_req_per_s`: a bare node:http process answering the page's bytes under the same
//   load, and `ratio` (req_per_s / baseline), which moves far less with the machine's noise.
// - callback: ORCID's redirect back, timed from the request to the answer: state checked and
//   used up, code exchanged at the simulator, token response sealed and stored, record read
//   and its snapshot stored. Median over N connect/disconnect cycles, paced under ORCID's rate
//   limit (faster cycles measure the shared rate limiter's waits instead).

import { spawnDemo } from '../test/helpers/demo-process.js';
import { csrfOf, WebClient } from '../test/helpers/web-client.js';
import { baseline, loadTest, okPerSecond, recordAnswer } from './http-baseline.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CYCLES = Number(process.env.BENCH_CALLBACKS ?? 50);

async function authorizeAtOrcid(orcid: string, authorizeUrl: string): Promise<string> {
  const q = new URL(authorizeUrl).searchParams;
  const res = await fetch(`${orcid}/__sandbox/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      orcid: '0000-0002-1825-0097',
      clientId: q.get('client_id'),
      scope: q.get('scope'),
      redirectUri: q.get('redirect_uri'),
      state: q.get('state'),
    }),
  });
  return ((await res.json()) as { location: string }).location;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function run(): Promise<void> {
  const demo = await spawnDemo({ LOG_LEVEL: 'error' });
  try {
    const web = new WebClient();
    const signIn = await web.get(demo.portal);
    await web.post(`${demo.portal}signin/directory`, {
      _csrf: csrfOf(signIn.text),
      username: 'ada',
      password: 'password',
    });

    // Callback: connect (timed) and disconnect, CYCLES times.
    const times: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const page = await web.get(demo.portal);
      const start = await web.post(`${demo.portal}connect`, { _csrf: csrfOf(page.text) });
      const callback = await authorizeAtOrcid(demo.orcid, start.location!);
      const t0 = performance.now();
      const res = await web.get(callback);
      times.push(performance.now() - t0);
      if (res.status !== 303 || res.location !== demo.portal)
        throw new Error(`callback failed: ${res.status} ${res.text.slice(0, 300)}`);
      if (i < CYCLES - 1) {
        const connected = await web.get(demo.portal);
        await web.post(`${demo.portal}disconnect`, { _csrf: csrfOf(connected.text) });
        // Each cycle makes three ORCID calls (exchange, record read, revoke); ORCID's limit is
        // 24/s for the client, so pause to measure the callback itself, not the rate limiter.
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    console.log(
      JSON.stringify({
        bench: 'portal',
        scenario: 'callback',
        p50_ms: Math.round(percentile(times, 50) * 10) / 10,
        p99_ms: Math.round(percentile(times, 99) * 10) / 10,
        callbacks: times.length,
        ...(process.env.BENCH_VERBOSE ? { times: times.map((t) => Math.round(t)) } : {}),
      }),
    );

    // Portal page: the researcher is connected now.
    const page = await web.get(demo.portal);
    if (!page.text.includes('disconnect-orcid')) throw new Error('the researcher is not connected');
    const cookie = [...(web.jar.get(new URL(demo.portal).host) ?? new Map())]
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const common = {
      url: demo.portal,
      connections: CONNECTIONS,
      headers: { cookie, 'accept-language': 'en' },
    };
    const answer = await recordAnswer(
      await fetch(demo.portal, { headers: common.headers, redirect: 'manual' }),
    );
    if (answer.status !== 200) throw new Error(`the portal page answered ${answer.status}`);
    await loadTest({ ...common, duration: 2 }); // warm-up
    const opts = { ...common, duration: DURATION_S };
    const r = await loadTest(opts);
    const base = await baseline(answer, opts, r);
    console.log(
      JSON.stringify({
        bench: 'portal',
        scenario: 'portal-page',
        req_per_s: okPerSecond(r),
        ...base,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        connections: CONNECTIONS,
        duration_s: r.duration,
        ok: r['2xx'],
        non_2xx: r.non2xx,
        errors: r.errors,
      }),
    );
  } finally {
    await demo.stop();
  }
}
