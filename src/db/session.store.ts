// Server-side web sessions in PostgreSQL, shared by every web process (@fastify/session store).
// Rows are keyed by the SHA-256 of the session id, so a database dump cannot be replayed as a
// cookie. Signing out everywhere is a delete.
import type { Kysely } from 'kysely';
import { type Db, preparedQuery } from './database.js';
import { sha256 } from './oauth-state.repository.js';
import type { Database } from './schema.js';

const SESSION_TTL_MS = 8 * 3600 * 1000;

type Callback = (err?: unknown) => void;

export class PgSessionStore {
  /** How long a session lasts (the cookie's max age says the same). */
  readonly ttlMs = SESSION_TTL_MS;
  private readonly db: Kysely<Database>;
  // Read on every request that carries a session cookie.
  private readonly read: (values: unknown[]) => Promise<Array<{ data: Record<string, unknown> }>>;

  constructor(database: Pick<Db, 'db' | 'pool'>) {
    this.db = database.db;
    this.read = preparedQuery(
      database.pool,
      'session-read',
      'select data from sessions where id_hash = $1 and expires_at > now()',
    );
  }

  set(sessionId: string, session: { cookie?: { expires?: Date | null } }, callback: Callback): void {
    const expires = session.cookie?.expires ?? new Date(Date.now() + SESSION_TTL_MS);
    const data = JSON.stringify(session);
    this.db
      .insertInto('sessions')
      .values({ id_hash: sha256(sessionId), data, expires_at: expires })
      .onConflict((oc) => oc.column('id_hash').doUpdateSet({ data, expires_at: expires }))
      .execute()
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: (err: unknown, session?: unknown) => void): void {
    this.read([sha256(sessionId)]).then((rows) => callback(null, rows[0]?.data ?? null), callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('id_hash', '=', sha256(sessionId))
      .execute()
      .then(() => callback(), callback);
  }

  async purgeExpired(): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<', new Date()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
