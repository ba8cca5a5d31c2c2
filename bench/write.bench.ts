// Items written through the queue to the simulator by `lanyard serve --role worker` processes
// sharing one PostgreSQL (embedded, started here). Scenarios:
// - limited: the simulator enforces ORCID's member limit (24/s, burst 40) and the tenant is set
//   to it; with 1 and with 3 worker processes. Target: utilisation >= 95%, 0 rejected.
// - unlimited: the simulator's limit off (and the tenant's raised): items per second end to end
//   with 1 and with 3 processes, 5,000 items (steady state; BENCH_UNLIMITED_ITEMS). Target >= 300
//   on this 2-core machine, where the simulator and PostgreSQL share the two cores with the
//   workers, so one process does more than three.
// One JSON line per scenario: scenario, processes, items, items_per_s, utilisation (limited),
// rejected (ORCID 503s), duplicates (items found twice in the simulator), peak_rss_mb (a worker).
import type { ChildProcess } from 'node:child_process';
import type { TokenResponse } from '../src/orcid/oauth.js';
import { connectResearcher, sandboxControl, spawnSandbox } from '../test/helpers/sandbox-process.js';
import {
  benchContainer,
  openBenchPlatform,
  peakRssMb,
  releaseWrites,
  roleEnv,
  spawnRole,
  stopRole,
} from './role-process.js';

const LIMITED_ITEMS = Number(process.env.BENCH_LIMITED_ITEMS ?? 300);
const UNLIMITED_ITEMS = Number(process.env.BENCH_UNLIMITED_ITEMS ?? 5000);
// BENCH_WRITE_SCENARIO=limited|unlimited runs only those scenarios.
const PEOPLE = 50;

const work = (run: string, i: number) => ({
  title: { title: { value: `Bench work ${run} ${i}` } },
  type: 'journal-article',
  'external-ids': {
    'external-id': [
      {
        'external-id-type': 'doi',
        'external-id-value': `10.5555/${run}.${i}`,
        'external-id-relationship': 'self',
      },
    ],
  },
});

export async function run(): Promise<void> {
  const { platform, close } = await openBenchPlatform();
  const parts = benchContainer(platform);
  try {
    const only = process.env.BENCH_WRITE_SCENARIO;
    for (const [scenario, processes] of (
      [
        ['limited', 1],
        ['limited', 3],
        ['unlimited', 1],
        ['unlimited', 3],
      ] as const
    ).filter(([s]) => !only || s === only)) {
      const limited = scenario === 'limited';
      const items = limited ? LIMITED_ITEMS : UNLIMITED_ITEMS;
      const sandbox = await spawnSandbox(limited ? [] : ['--no-rate-limit']);
      const workers: ChildProcess[] = [];
      try {
        const client = (await sandboxControl(sandbox.base, '/clients', {
          name: 'Bench University',
          type: 'member',
          premium: true,
          redirectUris: ['https://bench.example.org'],
        })) as { clientId: string; clientSecret: string };
        const tenants = parts.repos.tenants;
        const slug = `bench-${scenario}-${processes}`;
        const tenant = await tenants.create({
          slug,
          name: 'Bench University',
          orcidEnvironment: 'local',
          apiType: 'member',
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          scopes: '/read-limited /activities/update',
          redirectUri: 'https://bench.example.org/cb',
          supportContact: 'bench@example.org',
          rateLimitPerSecond: limited ? 24 : 1000,
          rateLimitBurst: limited ? 40 : 10000,
        });
        const people = parts.repos.people;
        const links = parts.repos.links;
        const personIds: string[] = [];
        const orcids: string[] = [];
        for (let i = 0; i < PEOPLE; i++) {
          const person = (await people.upsertFromSignIn(tenant.id, { employeeId: `${slug}-${i}` }))!;
          const r = await connectResearcher(sandbox.base, client, `${slug}-${i}@example.org`, tenant.scopes);
          await links.create(tenant.id, person.id, r.response as unknown as TokenResponse);
          personIds.push(person.id);
          orcids.push(r.orcid);
        }
        // The simulator's bucket refills while the workers start.
        const env = roleEnv(platform, sandbox.base);
        for (let i = 0; i < processes; i++)
          workers.push(
            // BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the workers.
            await spawnRole(
              'worker',
              env,
              process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
            ),
          );
        await new Promise((r) => setTimeout(r, 2000));

        const repo = parts.repos.items;
        for (let i = 0; i < items; i++)
          await repo.upsert(
            tenant.id,
            personIds[i % PEOPLE]!,
            { section: 'work', sourceKey: `${slug}-${i}`, payload: work(slug, i), desired: 'present' },
            false,
          );
        const startedAt = new Date();
        const t0 = performance.now();
        await releaseWrites(platform, tenant.id);
        let done = 0;
        while (done < items) {
          await new Promise((r) => setTimeout(r, 100));
          done = Number(
            (
              await platform.db.db
                .selectFrom('items')
                .select((eb) => eb.fn.countAll<string>().as('n'))
                .where('tenant_id', '=', tenant.id)
                .where('status', 'in', ['in_orcid', 'invalid', 'failed', 'revoked'])
                .executeTakeFirstOrThrow()
            ).n,
          );
        }
        const seconds = (performance.now() - t0) / 1000;
        const calls = await platform.db.db
          .selectFrom('orcid_calls')
          .select(['status'])
          .where('tenant_id', '=', tenant.id)
          .where('created_at', '>=', startedAt)
          .execute();
        const inOrcid = Number(
          (
            await platform.db.db
              .selectFrom('items')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('tenant_id', '=', tenant.id)
              .where('status', '=', 'in_orcid')
              .executeTakeFirstOrThrow()
          ).n,
        );
        const state = (await (await fetch(`${sandbox.base}/__sandbox/state`)).json()) as {
          researchers: Array<{
            orcid: string;
            items: Array<{ section: string; sourceClientId: string; json: Record<string, unknown> }>;
          }>;
        };
        let duplicates = 0;
        for (const r of state.researchers.filter((x) => orcids.includes(x.orcid))) {
          const titles = r.items
            .filter((i) => i.section === 'work' && i.sourceClientId === client.clientId)
            .map((i) => JSON.stringify(i.json['external-ids']));
          duplicates += titles.length - new Set(titles).size;
        }
        const line: Record<string, unknown> = {
          bench: 'write',
          scenario,
          processes,
          items,
          in_orcid: inOrcid,
          seconds: Math.round(seconds * 10) / 10,
          items_per_s: Math.round((items / seconds) * 10) / 10,
          orcid_calls: calls.length,
        };
        if (limited) line.utilisation = Math.round((calls.length / seconds / 24) * 1000) / 1000;
        line.rejected = calls.filter((c) => c.status === 503 || c.status === 429).length;
        line.duplicates = duplicates;
        line.peak_rss_mb = Math.max(...workers.map((w) => peakRssMb(w.pid!)));
        console.log(JSON.stringify(line));
      } finally {
        for (const w of workers) await stopRole(w);
        await sandbox.stop();
      }
    }
  } finally {
    await close();
  }
}
