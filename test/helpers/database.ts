// A fresh database per test file, cloned from the migrated template.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Db, openDatabase } from '../../src/db/database.js';
import { TEMPLATE, withDatabase } from './postgres-global.js';

export interface TestDatabase extends Db {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `lanyard_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const db = openDatabase(url, { max: 5 });
  return {
    ...db,
    url,
    name,
    async drop() {
      await db.close();
      await dropDatabase(adminUrl, name);
    },
  };
}

/**
 * Drops a test database, ending its connections. On a server where the tests' role is not a
 * superuser (Debian's PostgreSQL in CI), an autovacuum worker busy in the database cannot be
 * ended by that role: the drop is tried again once the worker is done.
 */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`drop database if exists ${name} with (force)`);
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== '42501' || attempt >= 50) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await c.end();
  }
}
