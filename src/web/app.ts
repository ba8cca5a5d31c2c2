// The web role's Fastify app. Wiring only: the portal, admin and API routes join it in later
// issues; for now it answers health checks for load balancers and operators.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';

export function buildApp(deps: { db: Kysely<Database>; logger: Logger }): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, disableRequestLogging: true });
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      return { status: 'ok', database: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
  return app;
}
