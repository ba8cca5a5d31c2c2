// REST API for the organisation's own systems (HR, CRIS, repository), /api/v1. Authenticated
// by a per-tenant API key (Bearer); everything is scoped to the key's tenant, and a foreign or
// unknown id answers 404. Every route declares its path, body and answers with zod: they are
// checked (a 400 names every field at fault) and they make the OpenAPI document
// (/api/v1/openapi.json, by @fastify/swagger).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Item } from '../../../db/rows.js';
import { ITEM_STATUSES, WRITABLE_SECTIONS } from '../../../domain/item.js';
import { MAX_VALUE_LENGTH } from '../../../domain/item-rules.js';
import { checkItem, loadPayloadChecks } from '../../../orcid/payload-check.js';
import type { ApiKeyService } from '../../../services/api-keys.service.js';
import { type ItemIntakeService, UnknownPerson } from '../../../services/item-intake.service.js';
import { webErrors } from '../../errors.js';

const isoDate = z.iso.date();

/** A name or id as people and systems write them: trimmed by the caller, never empty, bounded. */
const value = z.string().min(1).max(MAX_VALUE_LENGTH);

/** Fields left out keep their value; null clears one. */
const personBody = z
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
  .strict()
  .meta({ id: 'Person' });

const itemBody = z
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
  })
  // Documented as ItemInput (request bodies take the Input suffix).
  .meta({ id: 'Item' });

/** A path segment: never empty, no surrounding space, bounded. */
const pathValue = value.regex(/^\S(.*\S)?$/s, 'must not start or end with a space');

const itemView = z
  .object({
    sourceKey: z.string(),
    section: z.enum(WRITABLE_SECTIONS),
    desired: z.enum(['present', 'absent']),
    status: z.enum(ITEM_STATUSES),
    statusDetail: z.string().nullable(),
    putCode: z.number().int().nullable(),
    attempts: z.number().int(),
    updatedAt: z.iso.datetime(),
    writtenAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ItemView' });

const problem = z.object({ field: z.string(), message: z.string() });
const errorBody = z
  .object({
    error: z.string().describe('Stable id: unauthorized, not_found, invalid_path, invalid_body, …'),
    message: z.string().optional(),
    field: z.string().optional().describe('The (first) field at fault'),
    problems: z.array(problem).optional(),
  })
  .meta({ id: 'Error' });

/** The answers every route may give besides its own. */
const errors = {
  400: errorBody.describe('Invalid path or body: every field at fault is named'),
  401: errorBody.describe('Missing or invalid API key'),
  404: errorBody.describe('Unknown person or item (in this organisation)'),
  415: errorBody.describe('The body is not application/json'),
  429: errorBody.describe('Too many calls with this key'),
};

const viewOf = (i: Item): z.infer<typeof itemView> => ({
  sourceKey: i.source_key,
  section: i.section as z.infer<typeof itemView>['section'],
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

const localId = z.object({ localId: pathValue });
const sourceKey = z.object({ sourceKey: pathValue });

export function apiV1Routes(app: FastifyInstance, d: { keys: ApiKeyService; intake: ItemIntakeService }) {
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticate = async (req: FastifyRequest) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const key = m ? await d.keys.tenantOf(m[1]!) : null;
    if (!key) throw webErrors.unauthorized();
    req.apiTenantId = key.tenantId;
  };
  const noItem = (key: string) => webErrors.notFound(`no item with source key ${key}`);

  app.register(async (plain) => {
    const api = plain.withTypeProvider<ZodTypeProvider>();
    api.setValidatorCompiler(validatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    // Answered by the app's error pages, as JSON; schema validation is named there too.
    api.setErrorHandler(async (err) => {
      throw err instanceof UnknownPerson ? webErrors.notFound(err.message) : err;
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
    const common = { tags: ['people and items'], security: [{ apiKey: [] }] };

    api.put(
      '/api/v1/people/:localId',
      {
        schema: {
          ...common,
          operationId: 'statePerson',
          summary: 'Create or update a person (with employment status and dates)',
          params: localId,
          body: personBody,
          response: {
            200: z.object({
              localId: z.string(),
              employment: z.object({ status: z.enum(['current', 'left']).nullable() }),
            }),
            ...errors,
          },
        },
      },
      async (req) => {
        const person = await d.intake.statePerson(req.apiTenantId!, req.params.localId, req.body);
        return { localId: person.local_id, employment: { status: person.employment_status } };
      },
    );

    api.put(
      '/api/v1/people/:localId/items/:sourceKey',
      {
        // ORCID's XSDs are loaded before the body is checked against them.
        preValidation: async () => loadPayloadChecks(),
        schema: {
          ...common,
          operationId: 'stateItem',
          summary: "Create or update an item for the person's ORCID record",
          params: localId.extend(sourceKey.shape),
          body: itemBody,
          response: { 200: itemView, ...errors },
        },
      },
      async (req) => {
        const item = await d.intake.stateItem(req.apiTenantId!, req.params.localId, {
          ...req.body,
          sourceKey: req.params.sourceKey,
        });
        return viewOf(item);
      },
    );

    api.delete(
      '/api/v1/items/:sourceKey',
      {
        schema: {
          ...common,
          operationId: 'withdrawItem',
          summary: 'Remove the item from the ORCID record (deleted there if it was written)',
          params: sourceKey,
          response: { 200: itemView, ...errors },
        },
      },
      async (req) => {
        const item = await d.intake.withdrawItem(req.apiTenantId!, req.params.sourceKey);
        if (!item) throw noItem(req.params.sourceKey);
        return viewOf(item);
      },
    );

    api.get(
      '/api/v1/items/:sourceKey',
      {
        schema: {
          ...common,
          operationId: 'getItem',
          summary: "An item's status and put code",
          params: sourceKey,
          response: { 200: itemView, ...errors },
        },
      },
      async (req) => {
        const item = await d.intake.item(req.apiTenantId!, req.params.sourceKey);
        if (!item) throw noItem(req.params.sourceKey);
        return viewOf(item);
      },
    );

    api.get(
      '/api/v1/people/:localId/items',
      {
        schema: {
          ...common,
          operationId: 'listPersonItems',
          summary: "A person's items and their statuses",
          params: localId,
          response: { 200: z.object({ items: z.array(itemView) }), ...errors },
        },
      },
      async (req) => ({
        items: (await d.intake.personItems(req.apiTenantId!, req.params.localId)).map(viewOf),
      }),
    );
  });
}
