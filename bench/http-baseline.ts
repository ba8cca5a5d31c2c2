// The baseline an HTTP benchmark reads its figure against: a bare node:http server, in a process
// of its own as the measured server is, answering every request with the bytes the measured server
// answered. Measured in the same run and with the same load settings, so that `ratio` (measured /
// baseline) says how close the platform comes to what this machine can serve at that moment,
// whatever else the machine is doing.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

export interface RecordedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers that belong to one connection or one moment, not to the answer's bytes. */
const PER_CONNECTION = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'set-cookie']);

/** What a fetch answered, ready to be served again byte for byte. */
export async function recordAnswer(res: Response): Promise<RecordedAnswer> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!PER_CONNECTION.has(k)) headers[k] = v;
  });
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
}

const SERVER = `
const http = require('node:http');
const a = JSON.parse(process.env.BASELINE_ANSWER);
const body = Buffer.from(a.body, 'base64');
a.headers['content-length'] = String(body.length);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(a.status, a.headers); res.end(body); });
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

export function loadTest(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Successful answers per second (an error page is not throughput). */
export const okPerSecond = (r: autocannon.Result) => Math.round(r['2xx'] / r.duration);

/**
 * Runs the same load against a bare server answering `answer` (warmed up as the measured run
 * was) and answers its rate with the measured one's ratio to it.
 */
export async function baseline(
  answer: RecordedAnswer,
  opts: autocannon.Options,
  measured: autocannon.Result,
  warmUpS = 2,
): Promise<{ baseline_req_per_s: number; ratio: number }> {
  const child = spawn(process.execPath, ['-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      BASELINE_ANSWER: JSON.stringify({ ...answer, body: answer.body.toString('base64') }),
    },
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`baseline server exited ${code}`)));
    });
    const url = new URL(String(opts.url));
    url.protocol = 'http:';
    url.host = `127.0.0.1:${port}`;
    const at = { ...opts, url: url.href };
    if (warmUpS) await loadTest({ ...at, duration: warmUpS });
    const base = okPerSecond(await loadTest(at));
    return {
      baseline_req_per_s: base,
      ratio: base ? Math.round((okPerSecond(measured) / base) * 1000) / 1000 : 0,
    };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
