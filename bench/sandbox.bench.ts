// Throughput of the ORCID simulator with rate limits off: authenticated GET of a whole record and
// POST of a work. Target (issue #2): at least 3,000 GET/s and 1,500 POST/s on 2 cores. Each
// scenario also gives `baseline_req_per_s` (a bare node:http process answering the same bytes under
// the same load) and `ratio` (req_per_s / baseline).
import type autocannon from 'autocannon';
import { connectResearcher, sandboxControl, spawnSandbox } from '../test/helpers/sandbox-process.js';
import { baseline, loadTest, okPerSecond, recordAnswer } from './http-baseline.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 32;
const WRITERS = 8;

const work = (n: number) =>
  JSON.stringify({
    title: { title: { value: `Benchmark work ${n}` } },
    type: 'journal-article',
    'publication-date': { year: { value: '2024' }, month: { value: '05' } },
    'external-ids': {
      'external-id': [
        {
          'external-id-type': 'doi',
          'external-id-value': `10.5555/bench.${n}`,
          'external-id-relationship': 'self',
        },
      ],
    },
  });

export async function run(): Promise<void> {
  const sandbox = await spawnSandbox(['--no-rate-limit']);
  try {
    const client = (await sandboxControl(sandbox.base, '/clients', {
      name: 'Bench',
      type: 'member',
      redirectUris: ['https://bench.example.org'],
    })) as { clientId: string; clientSecret: string };
    const scope = '/read-limited /activities/update /person/update';
    const connect = (email: string) => connectResearcher(sandbox.base, client, email, scope);
    const { orcid, token } = await connect('bench@example.org');
    const headers = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'content-type': 'application/vnd.orcid+json',
    };
    // A realistic record: 20 works and a few affiliations and person items.
    for (let i = 0; i < 20; i++)
      await fetch(`${sandbox.base}/api/v3.0/${orcid}/work`, { method: 'POST', headers, body: work(-1 - i) });
    for (const content of ['glaciology', 'hydrology', 'climate']) {
      await fetch(`${sandbox.base}/api/v3.0/${orcid}/keywords`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ content }),
      });
    }

    const common = { connections: CONNECTIONS, duration: DURATION_S, headers };
    const recordUrl = `${sandbox.base}/api/v3.0/${orcid}/record`;
    const record = await recordAnswer(await fetch(recordUrl, { headers }));
    await loadTest({ ...common, url: recordUrl, duration: 2 }); // warm-up
    const getOpts = { ...common, url: recordUrl };
    const get = await loadTest(getOpts);
    report('get-record', get, await baseline(record, getOpts, get));

    // Works are spread over several records: ORCID caps a record at 10,000 works (9048).
    const writers: Array<{ orcid: string; token: string }> = [];
    for (let i = 0; i < WRITERS; i++) writers.push(await connect(`writer${i}@example.org`));
    const created = await recordAnswer(
      await fetch(`${sandbox.base}/api/v3.0/${writers[0]!.orcid}/work`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${writers[0]!.token}` },
        body: work(-100),
      }),
    );
    let n = 0;
    const postOpts: autocannon.Options = {
      ...common,
      url: `${sandbox.base}/api/v3.0/${orcid}/work`,
      method: 'POST',
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const w = writers[n % WRITERS]!;
            return {
              ...req,
              path: `/api/v3.0/${w.orcid}/work`,
              headers: { ...req.headers, authorization: `Bearer ${w.token}` },
              body: work(n++),
            };
          },
        },
      ],
    };
    const post = await loadTest(postOpts);
    report('post-work', post, await baseline(created, postOpts, post));
  } finally {
    await sandbox.stop();
  }
}

function report(
  scenario: string,
  r: autocannon.Result,
  base: { baseline_req_per_s: number; ratio: number },
): void {
  console.log(
    JSON.stringify({
      bench: 'sandbox',
      scenario,
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
}
