// An item belongs to a person of its organisation and goes with them (migration 0021: checked
// once per statement rather than by a per-row foreign key): an item naming a person of another
// organisation, or nobody, is refused with nothing written; a person deleted takes their items
// (and the items' history) along, as does an organisation deleted; an item never changes person;
// and a person deleted while another transaction states items for them either waits for it and
// takes those items too, or makes it fail.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;

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

async function person(tenantId: string, localId: string): Promise<string> {
  const r = await tdb.pool.query<{ id: string }>(
    'insert into people (tenant_id, local_id) values ($1, $2) returning id',
    [tenantId, localId],
  );
  return r.rows[0]!.id;
}

/** Inserts `keys` as items of the person, in one statement, on `client` (the pool by default). */
function insertItems(
  tenantId: string,
  personId: string,
  keys: string[],
  client: pg.Pool | pg.PoolClient = tdb.pool,
) {
  return client.query(
    `insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status)
     select $1, $2, 'employments', k, '{}', 'h', 'present', 'pending' from unnest($3::text[]) k`,
    [tenantId, personId, keys],
  );
}

const itemCount = async (where: string, params: unknown[]) =>
  Number(
    (await tdb.pool.query<{ n: string }>(`select count(*) as n from items where ${where}`, params)).rows[0]!
      .n,
  );

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? 'no code';
  }
};

let a: string;
let b: string;
beforeAll(async () => {
  tdb = await freshDatabase();
  a = await tenant('integrity-a');
  b = await tenant('integrity-b');
});
afterAll(async () => {
  await tdb?.drop();
});

describe('items and their people', () => {
  it('refuses a statement naming a person of another organisation, or nobody, and writes none of its rows', async () => {
    const mine = await person(a, 'A-1');
    const theirs = await person(b, 'B-1');
    const code = await codeOf(
      tdb.pool.query(
        `insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status)
         values ($1, $2, 'employments', 'ok-1', '{}', 'h', 'present', 'pending'),
                ($1, $3, 'employments', 'cross-1', '{}', 'h', 'present', 'pending')`,
        [a, mine, theirs],
      ),
    );
    expect(code).toBe('23503');
    expect(await itemCount('tenant_id = $1', [a])).toBe(0);
    expect(await codeOf(insertItems(a, '00000000-0000-4000-8000-000000000000', ['nobody-1']))).toBe('23503');
    // The same statement for the right organisation goes in whole.
    await insertItems(a, mine, ['ok-1', 'ok-2']);
    expect(await itemCount('tenant_id = $1 and person_id = $2', [a, mine])).toBe(2);
  });

  it('keeps an item with its person and organisation: moving it is refused', async () => {
    const one = await person(a, 'A-move-1');
    const other = await person(a, 'A-move-2');
    await insertItems(a, one, ['move-1']);
    expect(
      await codeOf(
        tdb.pool.query('update items set person_id = $1 where source_key = $2', [other, 'move-1']),
      ),
    ).toBe('23503');
    expect(
      await codeOf(tdb.pool.query('update items set tenant_id = $1 where source_key = $2', [b, 'move-1'])),
    ).toBe('23503');
    expect(await codeOf(tdb.pool.query('update people set tenant_id = $1 where id = $2', [b, one]))).toBe(
      '23503',
    );
    // Any other change of the item is as before.
    await tdb.pool.query(`update items set status = 'queued' where source_key = 'move-1'`);
    expect(await itemCount(`person_id = $1 and status = 'queued'`, [one])).toBe(1);
  });

  it('deletes a person’s items and their history with the person, and nobody else’s', async () => {
    const gone = await person(a, 'A-gone');
    const stays = await person(a, 'A-stays');
    await insertItems(a, gone, ['gone-1', 'gone-2']);
    await insertItems(a, stays, ['stays-1']);
    await tdb.pool.query(
      `insert into item_events (tenant_id, item_id, action, status) select tenant_id, id, 'stated', 'pending' from items where person_id = $1`,
      [gone],
    );
    await tdb.pool.query('delete from people where id = $1', [gone]);
    expect(await itemCount('person_id = $1', [gone])).toBe(0);
    expect(await itemCount('person_id = $1', [stays])).toBe(1);
    const events = await tdb.pool.query(
      `select 1 from item_events e where not exists (select 1 from items i where i.id = e.item_id)`,
    );
    expect(events.rowCount).toBe(0);
  });

  it('deletes an organisation’s items with the organisation', async () => {
    const c = await tenant('integrity-c');
    const p = await person(c, 'C-1');
    await insertItems(c, p, ['c-1', 'c-2', 'c-3']);
    await tdb.pool.query('delete from tenants where id = $1', [c]);
    expect(await itemCount('tenant_id = $1', [c])).toBe(0);
  });

  it('a person deleted while items are stated for them waits, then takes those items along', async () => {
    const p = await person(a, 'A-race-1');
    const writer = await tdb.pool.connect();
    try {
      await writer.query('begin');
      await insertItems(a, p, ['race-1', 'race-2'], writer);
      let deleted = false;
      const deletion = tdb.pool.query('delete from people where id = $1', [p]).then(() => {
        deleted = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(deleted).toBe(false);
      await writer.query('commit');
      await deletion;
    } finally {
      writer.release();
    }
    expect(await itemCount('person_id = $1', [p])).toBe(0);
  });

  it('items stated for a person being deleted wait, and are refused once the deletion commits', async () => {
    const p = await person(a, 'A-race-2');
    const deleter = await tdb.pool.connect();
    try {
      await deleter.query('begin');
      await deleter.query('delete from people where id = $1', [p]);
      let settled = false;
      const insert = codeOf(insertItems(a, p, ['race-3'])).finally(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await deleter.query('commit');
      expect(await insert).toBe('23503');
    } finally {
      deleter.release();
    }
    expect(await itemCount('source_key = $1', ['race-3'])).toBe(0);
  });
});
