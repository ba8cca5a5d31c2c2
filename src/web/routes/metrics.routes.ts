// GET /metrics on the web role's own address, for a Prometheus that can only reach that: served
// only when LANYARD_METRICS_TOKEN is set, and only to a request that names it
// (Authorization: Bearer <token>). Without it the metrics are on their own port
// (LANYARD_METRICS_PORT, src/app/metrics-server.ts) or not served.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics/metrics.js';
import { webErrors } from '../errors.js';

const digest = (v: string) => createHash('sha256').update(v).digest();

export function metricsRoutes(
  app: FastifyInstance,
  metrics: Pick<Metrics, 'render' | 'contentType'>,
  token: string,
) {
  const expected = digest(token);
  app.get('/metrics', async (req, reply) => {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    // Compared as digests: equal lengths, and no timing that tells how much of it was right.
    if (!timingSafeEqual(digest(given), expected))
      throw webErrors.unauthorized('The metrics token is required: Authorization: Bearer <token>.');
    return reply
      .header('cache-control', 'no-store')
      .type(metrics.contentType)
      .send(await metrics.render());
  });
}
