// REST API for the organisation's own systems (HR, CRIS, repository), /api/v1. Authenticated
// by a per-tenant API key (Bearer) before anything else is read; everything is scoped to the
// key's tenant, and a foreign or unknown id answers 404. Every route declares its path, body and
// answers with zod: they are checked (a 400 names every field at fault) and they make the
// OpenAPI document (/api/v1/openapi.json, by @fastify/swagger). One file per feature.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Container } from '../../../app/container.js';
import { OrcidError } from '../../../orcid/errors.js';
import { UnknownCursor } from '../../../services/collect.service.js';
import { UnknownPerson } from '../../../services/item-intake.service.js';
import { webErrors } from '../../errors.js';
import { collectRoutes } from './collect.routes.js';
import { itemRoutes } from './items.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiTenantId?: string;
  }
}

export function apiArea(app: FastifyInstance, c: Container): void {
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticate = async (req: FastifyRequest) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const key = m ? await c.apiKeys.tenantOf(m[1]!) : null;
    if (!key) throw webErrors.unauthorized();
    if ((await c.tenantDirectory.byId(key.tenantId))?.suspended_at) throw webErrors.suspended();
    req.apiTenantId = key.tenantId;
  };

  app.register(async (plain) => {
    const api = plain.withTypeProvider<ZodTypeProvider>();
    api.setValidatorCompiler(validatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    // Answered by the app's error pages, as JSON; schema validation is named there too.
    api.setErrorHandler(async (err) => {
      if (err instanceof UnknownPerson) throw webErrors.notFound(err.message);
      if (err instanceof OrcidError) throw webErrors.orcidUnavailable(err.message);
      if (err instanceof UnknownCursor)
        throw webErrors.invalidRequest('path', [{ field: 'after', message: err.message }]);
      throw err;
    });
    api.addHook('onRequest', api.limits.apiByKey);
    // Authenticated before the body is read.
    api.addHook('onRequest', authenticate);
    api.addHook('preValidation', async (req) => {
      // JSON only: a form body would be half-understood (every value a string).
      const type = req.headers['content-type'] ?? '';
      if (req.body !== undefined && !/^application\/json\s*(;|$)/i.test(type))
        throw webErrors.unsupportedMediaType();
      // A PUT without a body states nothing new (every field is optional where that makes sense).
      if (req.body === undefined && req.method === 'PUT') req.body = {};
    });
    itemRoutes(api, { intake: c.intake });
    collectRoutes(api, {
      collect: c.collect,
      registry: c.sync.registrySearch,
      orcid: c.orcid,
      directory: c.tenantDirectory,
    });
  });
}
