// The Kysely instance over a pg pool.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export interface Db {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Calendar dates (people.employment_*) stay the strings PostgreSQL sends ("2019-09-01"): pg
 * would make them a Date at local midnight, which shifts the day in any zone west of UTC.
 */
const DATE_OID = 1082;
const dateAsText = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? (v: string) => v : pg.types.getTypeParser(oid, format),
};

export function openDatabase(url: string, options: { max?: number; onError?: (e: Error) => void } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: dateAsText });
  // An idle connection closed by the server (restart, shutdown) is reported here; without a
  // listener pg would crash the process. The next query opens a new connection.
  pool.on('error', (e) => options.onError?.(e));
  // A connection the server ends while it is checked out between two statements (a transaction
  // under way when PostgreSQL restarts) would report the error to nobody, and crash the process:
  // it is noted here, the transaction's next statement fails, and the pool drops the connection.
  pool.on('connect', (client) => client.on('error', (e) => options.onError?.(e)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}

/**
 * A named (server-side prepared) statement for the hottest queries: PostgreSQL parses and plans
 * it once per connection instead of on every request. Kysely sends unnamed statements only.
 */
export function preparedQuery<Row>(
  pool: pg.Pool,
  name: string,
  text: string,
): (values: unknown[]) => Promise<Row[]> {
  return async (values) => (await pool.query<Row & pg.QueryResultRow>({ name, text, values })).rows;
}
