// A connection the server ends while the application holds it between two statements (a
// transaction under way when PostgreSQL restarts or an administrator ends the session) must not
// crash the process: the error is reported, the transaction fails, the pool goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await freshDatabase();
});
afterAll(() => tdb.drop());

describe('a connection ended by the server while checked out', () => {
  it('is reported, fails its transaction, and the pool serves the next query', async () => {
    const errors: Error[] = [];
    const db = openDatabase(tdb.url, { max: 2, onError: (e) => errors.push(e) });
    try {
      const client = await db.pool.connect();
      await client.query('begin');
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      // Between two statements of the transaction, the server ends the session.
      await tdb.pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      for (let i = 0; i < 50 && !errors.length; i++) await new Promise((r) => setTimeout(r, 20));
      expect(errors.map((e) => (e as { code?: string }).code)).toContain('57P01');
      await expect(client.query('select 1')).rejects.toThrow();
      client.release(true);
      const again = await db.pool.query<{ one: number }>('select 1 as one');
      expect(again.rows[0]!.one).toBe(1);
    } finally {
      await db.close();
    }
  });
});
