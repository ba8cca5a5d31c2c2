// ORCID's webhook notifications, POST /hooks/orcid/{token}: answered 204 at once when the token
// names a live subscription (a re-read of its record is queued, coalesced per link), 404 when it
// names none (nothing written). The answer is given before the body is read: a notification only
// means "re-read this record", and nothing in it is trusted. Other methods answer 405.
import type { FastifyInstance } from 'fastify';
import type { WebhookService } from '../../../services/webhooks.service.js';
import { webErrors } from '../../errors.js';

export function orcidHookRoutes(
  app: FastifyInstance,
  webhooks: WebhookService,
  /** Counts each notification (metrics). */
  received: (outcome: 'accepted' | 'unknown') => void = () => {},
): void {
  app.register(async (hooks) => {
    // onRequest: before any body is read or parsed.
    hooks.addHook('onRequest', async (req, reply) => {
      if (req.method !== 'POST') throw webErrors.methodNotAllowed('POST');
      const { token } = req.params as { token: string };
      const known = await webhooks.notified(token);
      received(known ? 'accepted' : 'unknown');
      if (!known) throw webErrors.notFound('No subscription for this callback.');
      // A body is never read: the connection is not kept for what may follow it.
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'];
      if (hasBody) reply.header('connection', 'close');
      return reply.code(204).send();
    });
    hooks.route({
      method: ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'],
      url: '/hooks/orcid/:token',
      bodyLimit: 1024,
      handler: async () => undefined,
    });
  });
}
