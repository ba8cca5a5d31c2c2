// /healthz: the process is alive (for the process supervisor: restart it when this does not
// answer). /readyz: it can serve, its database and job queue answer (for load balancers: send it
// no traffic while this answers 503). Neither is cached.
import type { FastifyInstance } from 'fastify';
import type { HealthService } from '../../services/health.service.js';

export function healthRoutes(app: FastifyInstance, health: HealthService): void {
  app.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send(health.alive()));
  app.get('/readyz', async (_req, reply) => {
    const r = await health.ready();
    return reply
      .code(r.status === 'ready' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(r);
  });
}
