// /healthz: whether this web process and its database answer (for load balancers and the
// process supervisor); 503 while the database is unreachable.
import type { FastifyInstance } from 'fastify';
import type { HealthService } from '../../services/health.service.js';

export function healthRoutes(app: FastifyInstance, health: HealthService): void {
  app.get('/healthz', async (_req, reply) => {
    const h = await health.check();
    return reply
      .code(h.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(h);
  });
}
