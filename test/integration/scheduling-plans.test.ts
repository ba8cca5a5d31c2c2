// The scheduler's statements with one tenant's backlog of 100,000 items: finding the tenants with
// ready work and claiming another tenant's items read a handful of index entries, never the
// backlog (the plans of the very statements the repositories send, with EXPLAIN ANALYZE); and
// concurrent claims never take more than asked, nor the same item twice.
import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { ItemRepository } from '../../src/db/item.repository.js';
import { OrcidLinkRepository } from '../../src/db/orcid-link.repository.js';
import { OrcidWorkRepository } from '../../src/db/orcid-work.repository.js';
import type { Database } from '../../src/db/schema.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

const BACKLOG = 100_000;

let tdb: TestDatabase;
let a: string;
let b: string;
/** The statements a repository sent (with their parameters), for EXPLAIN. */
const sent: CompiledQuery[] = [];
let logged: Kysely<Database>;

async function tenant(slug: string): Promise<string> {
  const r = await tdb.pool.query<{ id: string }>(
    `insert into tenants (slug, name, orcid_environment, api_type, client_id, client_secret_sealed, scopes,
       redirect_uri, support_contact)
     values ($1, $1, 'local', 'member', $2, 'x', '/activities/update', 'http://127.0.0.1/cb', 'x@example.org')
     returning id`,
    [slug, `APP-${slug.toUpperCase()}`],
  );
  return r.rows[0]!.id;
}

/** `n` queued works for one person of the tenant, stated in one statement. */
async function backlog(tenantId: string, n: number, prefix: string): Promise<void> {
  const person = await tdb.pool.query<{ id: string }>(
    `insert into people (tenant_id, local_id) values ($1, $2) returning id`,
    [tenantId, `${prefix}-person`],
  );
  await tdb.pool.query(
    `insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status)
     select $1, $2, 'work', $3 || g, '{}', 'h', 'present', 'queued' from generate_series(1, $4) g`,
    [tenantId, person.rows[0]!.id, `${prefix}-`, n],
  );
}

beforeAll(async () => {
  tdb = await freshDatabase();
  a = await tenant('plans-a');
  b = await tenant('plans-b');
  await backlog(a, BACKLOG, 'a');
  await backlog(b, 10, 'b');
  await tdb.pool.query('analyze items');
  logged = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: tdb.pool }),
    log: (e) => {
      if (e.level === 'query') sent.push(e.query);
    },
  });
}, 120_000);
afterAll(async () => {
  await tdb?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The plan of the last statement sent, run for real (in a transaction rolled back). */
async function planOfLast(): Promise<PlanNode[]> {
  const q = sent.at(-1)!;
  const client = await tdb.pool.connect();
  try {
    await client.query('begin');
    const r = await client.query(`explain (analyze, format json) ${q.sql}`, q.parameters as unknown[]);
    return nodes((r.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

const itemsRead = (plan: PlanNode[]) =>
  plan
    .filter((n) => n['Relation Name'] === 'items')
    .reduce((sum, n) => sum + (n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0), 0);

describe("the scheduler's statements with a backlog of 100,000 items", () => {
  it('finding the tenants with ready work reads no backlog', async () => {
    const work = new OrcidWorkRepository(logged);
    expect((await work.readyTenants()).sort()).toEqual([a, b].sort());
    const plan = await planOfLast();
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'items')).toBe(false);
    expect(itemsRead(plan)).toBeLessThan(50);
  });

  it("claiming the other tenant's items reads only theirs", async () => {
    const items = new ItemRepository(logged);
    const claimed = await items.claimReady(b, 5, 60_000);
    expect(claimed).toHaveLength(5);
    const plan = await planOfLast();
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'items')).toBe(false);
    expect(itemsRead(plan)).toBeLessThan(50);
  });

  it('claiming from the backlog reads what it claims, not the backlog', async () => {
    const items = new ItemRepository(logged);
    expect(await items.claimReady(a, 10, 60_000)).toHaveLength(10);
    const plan = await planOfLast();
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'items')).toBe(false);
    expect(itemsRead(plan)).toBeLessThan(200);
  });

  it('concurrent claims take at most what each asked, and never the same item twice', async () => {
    const items = new ItemRepository(tdb.db);
    const claims = await Promise.all(Array.from({ length: 12 }, () => items.claimReady(a, 7, 60_000)));
    for (const c of claims) expect(c.length).toBeLessThanOrEqual(7);
    const ids = claims.flat().map((c) => c.item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(84);
  });

  it('an item stated anew starts its retries afresh, and a leased item is never claimed twice', async () => {
    const items = new ItemRepository(tdb.db);
    const person = await tdb.pool.query<{ id: string }>(
      `insert into people (tenant_id, local_id) values ($1, 'retry-person') returning id`,
      [b],
    );
    const personId = person.rows[0]!.id;
    const input = {
      section: 'keywords',
      sourceKey: 'retry-kw',
      payload: { content: 'one' },
      desired: 'present' as const,
    };
    const { item } = await items.upsert(b, personId, input, true);
    await tdb.pool.query(`update items set status = 'retrying', retries = 5 where id = $1`, [item.id]);
    const { item: again } = await items.upsert(b, personId, { ...input, payload: { content: 'two' } }, true);
    expect(again.status).toBe('queued');
    expect(again.retries).toBe(0);
    // Leased by a worker: even with ready_at moved back, no second claim takes it.
    await tdb.pool.query(
      `update items set lease_token = 'held', lease_until = now() + interval '1 minute', ready_at = now() - interval '1 hour'
       where id = $1`,
      [item.id],
    );
    const claimed = await items.claimReady(b, 100, 60_000);
    expect(claimed.map((c) => c.item.id)).not.toContain(item.id);
  });

  it('re-reads: concurrent claims take each due link once, and a request during a read asks for exactly one more', async () => {
    const ring = new KeyRing([{ id: 'plans', key: Buffer.alloc(32, 7) }]);
    const links = new OrcidLinkRepository(tdb.db, ring);
    const person = await tdb.pool.query<{ id: string }>(
      `insert into people (tenant_id, local_id) select $1, 'l-' || g from generate_series(1, 20) g returning id`,
      [b],
    );
    const ids: string[] = [];
    for (const [k, p] of person.rows.entries())
      ids.push(
        (
          await tdb.pool.query<{ id: string }>(
            `insert into orcid_links (tenant_id, person_id, orcid, scope, expires_at, status)
             values ($1, $2, $3, '/read-limited', now() + interval '1 year', 'active') returning id`,
            [b, p.id, `0000-0002-1825-${String(k).padStart(4, '0')}`],
          )
        ).rows[0]!.id,
      );
    await links.requestSync(
      ids.map((linkId) => ({ tenantId: b, linkId, reason: 'webhook', dueInSeconds: 0 })),
    );
    const claims = await Promise.all(Array.from({ length: 6 }, () => links.claimSyncs(b, 5, 60_000)));
    const claimed = claims.flat().map((c) => c.id);
    for (const c of claims) expect(c.length).toBeLessThanOrEqual(5);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(20);
    // A notification while the read runs: one more read after it, and only one.
    const first = claimed[0]!;
    await links.requestSync([{ tenantId: b, linkId: first, reason: 'webhook', dueInSeconds: 0 }]);
    await links.requestSync([{ tenantId: b, linkId: first, reason: 'webhook', dueInSeconds: 0 }]);
    expect(await links.claimSyncs(b, 5, 60_000)).toEqual([]);
    await links.finishSync(b, first, null);
    expect((await links.claimSyncs(b, 5, 60_000)).map((c) => c.id)).toEqual([first]);
    await links.finishSync(b, first, null);
    expect(await links.claimSyncs(b, 5, 60_000)).toEqual([]);
    // Another tenant never sees them.
    expect(await links.claimSyncs(a, 50, 60_000)).toEqual([]);
  });
});
