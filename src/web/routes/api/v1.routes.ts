// REST API for the organisation's own systems (HR, CRIS, repository), /api/v1. Authenticated
// by a per-tenant API key (Bearer); everything is scoped to the key's tenant, and a foreign or
// unknown id answers 404. Bodies are validated; a 400 names every field at fault.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiKeyRepository } from '../../../db/api-key.repository.js';
import type { Item } from '../../../db/item.repository.js';
import { ITEM_STATUSES, WRITABLE_SECTIONS } from '../../../domain/item.js';
import { MAX_VALUE_LENGTH } from '../../../domain/item-rules.js';
import { checkItem, loadPayloadChecks } from '../../../orcid/payload-check.js';
import { type ItemIntakeService, UnknownPerson } from '../../../services/item-intake.service.js';

const isoDate = z.iso.date();

/** A name or id as people and systems write them: trimmed by the caller, never empty, bounded. */
const value = z.string().min(1).max(MAX_VALUE_LENGTH);

/** Fields left out keep their value; null clears one. */
export const personBody = z
  .object({
    email: z.email().max(MAX_VALUE_LENGTH).nullable().optional(),
    eppn: value.nullable().optional(),
    employeeId: value.nullable().optional(),
    givenNames: value.nullable().optional(),
    familyName: value.nullable().optional(),
    employment: z
      .object({ status: z.enum(['current', 'left']), start: isoDate.optional(), end: isoDate.optional() })
      .strict()
      .refine((e) => !e.start || !e.end || e.end >= e.start, {
        message: 'end is before start',
        path: ['end'],
      })
      .optional(),
  })
  .strict();

export const itemBody = z
  .object({
    section: z.enum(WRITABLE_SECTIONS),
    payload: z.record(z.string(), z.unknown()),
    groupId: value.optional(),
  })
  .strict()
  // ORCID's model and XSDs, and the rules uploads apply, field by field.
  .superRefine((b, ctx) => {
    for (const p of checkItem(b.section, b.payload, b.groupId))
      ctx.addIssue({
        code: 'custom',
        path: ['payload', ...(p.field ? p.field.split('.') : [])],
        message: p.message,
      });
  });

const pathValue = value.regex(/^\S(.*\S)?$/s, 'must not start or end with a space');

const itemView = (i: Item) => ({
  sourceKey: i.source_key,
  section: i.section,
  desired: i.desired_state,
  status: i.status,
  statusDetail: i.status_detail,
  putCode: i.put_code === null ? null : Number(i.put_code),
  attempts: i.attempts,
  updatedAt: new Date(i.updated_at).toISOString(),
  writtenAt: i.written_at ? new Date(i.written_at).toISOString() : null,
});

declare module 'fastify' {
  interface FastifyRequest {
    apiTenantId?: string;
  }
}

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({
    error: 'invalid_body',
    problems: error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
  });
}

export function apiV1Routes(app: FastifyInstance, d: { keys: ApiKeyRepository; intake: ItemIntakeService }) {
  app.get('/api/v1/openapi.json', async () => openApiDocument());

  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const key = m ? await d.keys.tenantOf(m[1]!) : null;
    if (!key)
      return reply.code(401).header('www-authenticate', 'Bearer realm="lanyard"').send({
        error: 'unauthorized',
        message: 'A valid API key is required: Authorization: Bearer <key>.',
      });
    req.apiTenantId = key.tenantId;
  };
  const notFound = (reply: FastifyReply, message: string) =>
    reply.code(404).send({ error: 'not_found', message });
  const params = (req: FastifyRequest) => req.params as { localId: string; sourceKey: string };
  /** The path's ids: never empty, no surrounding space, bounded (400 naming the one at fault). */
  const checkParams = async (req: FastifyRequest, reply: FastifyReply) => {
    const problems = Object.entries(req.params as Record<string, string>).flatMap(([field, v]) => {
      const r = pathValue.safeParse(v);
      return r.success ? [] : [{ field, message: r.error.issues[0]!.message }];
    });
    if (problems.length) return reply.code(400).send({ error: 'invalid_path', problems });
  };

  app.register(async (api) => {
    api.addHook('onRequest', api.limits.apiByKey);
    // Authenticated before the body is read.
    api.addHook('onRequest', authenticate);
    api.addHook('preValidation', async (req, reply) => {
      // JSON only: a form body would be half-understood (every value a string).
      const type = req.headers['content-type'] ?? '';
      if (req.body !== undefined && !/^application\/json\s*(;|$)/i.test(type))
        return reply
          .code(415)
          .send({ error: 'unsupported_media_type', message: 'Send the body as application/json.' });
    });
    api.addHook('preValidation', checkParams);

    api.put('/api/v1/people/:localId', async (req, reply) => {
      const body = personBody.safeParse(req.body ?? {});
      if (!body.success) return invalid(reply, body.error);
      const person = await d.intake.statePerson(req.apiTenantId!, params(req).localId, body.data);
      return { localId: person.local_id, employment: { status: person.employment_status } };
    });

    api.put('/api/v1/people/:localId/items/:sourceKey', async (req, reply) => {
      await loadPayloadChecks();
      const body = itemBody.safeParse(req.body ?? {});
      if (!body.success) return invalid(reply, body.error);
      try {
        const item = await d.intake.stateItem(req.apiTenantId!, params(req).localId, {
          ...body.data,
          sourceKey: params(req).sourceKey,
        });
        return itemView(item);
      } catch (e) {
        if (e instanceof UnknownPerson) return notFound(reply, e.message);
        throw e;
      }
    });

    api.delete('/api/v1/items/:sourceKey', async (req, reply) => {
      const item = await d.intake.withdrawItem(req.apiTenantId!, params(req).sourceKey);
      return item ? itemView(item) : notFound(reply, `no item with source key ${params(req).sourceKey}`);
    });

    api.get('/api/v1/items/:sourceKey', async (req, reply) => {
      const item = await d.intake.item(req.apiTenantId!, params(req).sourceKey);
      return item ? itemView(item) : notFound(reply, `no item with source key ${params(req).sourceKey}`);
    });

    api.get('/api/v1/people/:localId/items', async (req, reply) => {
      try {
        return { items: (await d.intake.personItems(req.apiTenantId!, params(req).localId)).map(itemView) };
      } catch (e) {
        if (e instanceof UnknownPerson) return notFound(reply, e.message);
        throw e;
      }
    });
  });
}

/** OpenAPI 3.1, with the request bodies' JSON Schemas derived from the validators. */
export function openApiDocument() {
  const errorRef = { $ref: '#/components/schemas/Error' };
  const itemRef = { $ref: '#/components/schemas/Item' };
  const responses = (ok: object) => ({
    '200': { description: 'OK', content: { 'application/json': { schema: ok } } },
    '400': {
      description: 'Invalid body: every field at fault is named',
      content: { 'application/json': { schema: errorRef } },
    },
    '401': {
      description: 'Missing or invalid API key',
      content: { 'application/json': { schema: errorRef } },
    },
    '404': {
      description: 'Unknown person or item (in this organisation)',
      content: { 'application/json': { schema: errorRef } },
    },
  });
  const localId = { name: 'localId', in: 'path', required: true, schema: { type: 'string' } };
  const sourceKey = { name: 'sourceKey', in: 'path', required: true, schema: { type: 'string' } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lanyard API',
      version: '1',
      description:
        "The organisation's systems state people and the items Lanyard writes to their ORCID records. Writes are idempotent by source key.",
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Person: z.toJSONSchema(personBody),
        ItemInput: z.toJSONSchema(itemBody),
        Item: {
          type: 'object',
          properties: {
            sourceKey: { type: 'string' },
            section: { enum: [...WRITABLE_SECTIONS] },
            desired: { enum: ['present', 'absent'] },
            status: { enum: [...ITEM_STATUSES] },
            statusDetail: { type: ['string', 'null'] },
            putCode: { type: ['integer', 'null'] },
            attempts: { type: 'integer' },
            updatedAt: { type: 'string', format: 'date-time' },
            writtenAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        Error: {
          type: 'object',
          properties: {
            error: { type: 'string' },
            message: { type: 'string' },
            problems: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/api/v1/people/{localId}': {
        put: {
          summary: 'Create or update a person (with employment status and dates)',
          parameters: [localId],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Person' } } },
          },
          responses: responses({ type: 'object' }),
        },
      },
      '/api/v1/people/{localId}/items/{sourceKey}': {
        put: {
          summary: "Create or update an item for the person's ORCID record",
          parameters: [localId, sourceKey],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ItemInput' } } },
          },
          responses: responses(itemRef),
        },
      },
      '/api/v1/people/{localId}/items': {
        get: {
          summary: "A person's items and their statuses",
          parameters: [localId],
          responses: responses({ type: 'object', properties: { items: { type: 'array', items: itemRef } } }),
        },
      },
      '/api/v1/items/{sourceKey}': {
        get: {
          summary: "An item's status and put code",
          parameters: [sourceKey],
          responses: responses(itemRef),
        },
        delete: {
          summary: 'Remove the item from the ORCID record (deleted there if it was written)',
          parameters: [sourceKey],
          responses: responses(itemRef),
        },
      },
    },
  };
}
