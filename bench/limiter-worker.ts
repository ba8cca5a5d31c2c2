// One worker process of the limiter benchmark: reads a record as fast as the shared limiter
// allows and reports when each answer came and how many were rejected (503).
import { openDatabase } from '../src/db/database.js';
import { PgRateLimiter } from '../src/db/orcid-rate-limiter.js';
import { OrcidTransport } from '../src/orcid/transport.js';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const db = openDatabase(env('BENCH_DB_URL'), { max: 4 });
const limiter = new PgRateLimiter(db.db, () => ({
  perSecond: Number(env('BENCH_RATE')),
  burst: Number(env('BENCH_BURST')),
}));
// One attempt per request: a 503 must be counted, not retried away.
const transport = new OrcidTransport({ limiter, attempts: 1 });
const startAt = Number(env('BENCH_START_AT'));
const endAt = startAt + Number(env('BENCH_DURATION_MS'));
const okTimes: number[] = [];
let rejected = 0;
let otherErrors = 0;

await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
await Promise.all(
  Array.from({ length: Number(env('BENCH_CONCURRENCY')) }, async () => {
    while (Date.now() < endAt) {
      try {
        await transport.send({
          method: 'GET',
          url: env('BENCH_URL'),
          headers: { authorization: `Bearer ${env('BENCH_TOKEN')}`, accept: 'application/json' },
          clientId: env('BENCH_CLIENT_ID'),
        });
        okTimes.push(Date.now());
      } catch (e) {
        if ((e as { details?: { status?: number } }).details?.status === 503) rejected++;
        else otherErrors++;
      }
    }
  }),
);
await transport.close();
await db.close();
process.stdout.write(`${JSON.stringify({ okTimes, rejected, otherErrors })}\n`);
