// Opens what every platform role needs: the database (external, or embedded under the data
// directory), migrated to the latest version, and the key ring that seals secrets.
import { join, resolve } from 'node:path';
import type { Config } from './config.js';
import { KeyRing, loadKeyFile } from './crypto/key-ring.js';
import { type Db, openDatabase } from './db/database.js';
import { type EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { migrateToLatest } from './db/migrate.js';

export interface Platform {
  db: Db;
  /** The database's connection URL (the queue opens its own pool on it). */
  url: string;
  ring: KeyRing;
  /** Where the key ring comes from: rotation writes new keys back only to a key file. */
  keyFile: string | null;
  close(): Promise<void>;
}

export async function openPlatform(
  config: Config,
  options: { log?: (line: string) => void } = {},
): Promise<Platform> {
  let embedded: EmbeddedServer | null = null;
  let url = config.DATABASE_URL;
  if (!url) {
    const dataDir = resolve(config.LANYARD_DATA_DIR);
    options.log?.(`starting embedded PostgreSQL (data in ${join(dataDir, 'pg')})`);
    embedded = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'pg'),
      port: config.LANYARD_EMBEDDED_PG_PORT,
    });
    await ensureDatabase(embedded.adminUrl, 'lanyard');
    url = embedded.urlFor('lanyard');
  }
  const keyFile = config.LANYARD_KEYS ? null : join(resolve(config.LANYARD_DATA_DIR), 'keys');
  const ring = config.LANYARD_KEYS ? KeyRing.parse(config.LANYARD_KEYS) : loadKeyFile(keyFile!);
  // A lost connection is replaced on the next query: noted, not treated as a failure.
  const db = openDatabase(url, {
    onError: (e) => options.log?.(`a database connection was lost (${e.message}); reconnecting`),
  });
  try {
    await migrateToLatest(db.db);
  } catch (e) {
    await db.close();
    await embedded?.stop();
    throw e;
  }
  return {
    db,
    url,
    ring,
    keyFile,
    async close() {
      await db.close();
      await embedded?.stop();
    },
  };
}
