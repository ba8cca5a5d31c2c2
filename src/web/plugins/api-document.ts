// The OpenAPI document of /api/v1, made by @fastify/swagger from the routes' zod schemas
// (fastify-type-provider-zod); every route outside /api/v1 is left out.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { Container } from '../../app/container.js';

/**
 * The document keeps only the schemas it refers to: every named zod schema comes in an input and
 * an output version, and most routes use only one of them.
 */
function withoutUnusedSchemas<T>(doc: T): T {
  const d = doc as { components?: { schemas?: Record<string, unknown> } };
  const schemas = d.components?.schemas;
  if (!schemas) return doc;
  const used = new Set<string>();
  const visit = (v: unknown) => {
    const text = JSON.stringify(v);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g))
      if (!used.has(name!)) {
        used.add(name!);
        visit(schemas[name!]);
      }
  };
  visit({ ...d, components: { ...d.components, schemas: {} } });
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return doc;
}

export const apiDocument = fp(async (app: FastifyInstance, c: Container) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lanyard API',
        version: '1',
        description:
          "The organisation's systems state people and the items Lanyard writes to their ORCID records. Writes are idempotent by source key.",
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: c.publicUrl.replace(/\/+$/, '') || '/' }],
      tags: [{ name: 'people and items', description: 'People and the items written to their records' }],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    },
    transform: (route) =>
      route.url.startsWith('/api/v1/')
        ? jsonSchemaTransform(route)
        : { schema: { ...route.schema, hide: true }, url: route.url },
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input)),
  });
});
