// What every /api/v1 route shares: the answers it may give besides its own, and the values of
// its paths and bodies (trimmed by the caller, never empty, bounded).
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_VALUE_LENGTH } from '../../../domain/item-rules.js';

/** A name or id as people and systems write them: trimmed by the caller, never empty, bounded. */
export const value = z.string().min(1).max(MAX_VALUE_LENGTH);

/** A path segment: never empty, no surrounding space, bounded. */
const pathValue = value.regex(/^\S(.*\S)?$/s, 'must not start or end with a space');

const problem = z.object({ field: z.string(), message: z.string() });
export const errorBody = z
  .object({
    error: z.string().describe('Stable id: unauthorized, not_found, invalid_path, invalid_body, …'),
    message: z.string().optional(),
    field: z.string().optional().describe('The (first) field at fault'),
    problems: z.array(problem).optional(),
  })
  .meta({ id: 'Error' });

/** The answers every route may give besides its own. */
export const errors = {
  400: errorBody.describe('Invalid path or body: every field at fault is named'),
  401: errorBody.describe('Missing or invalid API key'),
  404: errorBody.describe('Unknown person or item (in this organisation)'),
  415: errorBody.describe('The body is not application/json'),
  429: errorBody.describe('Too many calls with this key'),
};

export const localId = z.object({ localId: pathValue });
export const sourceKey = z.object({ sourceKey: pathValue });

/** Every route is called with an API key (Bearer). */
export const security = [{ apiKey: [] }];

/** The API's scope: routes' types come from their zod schemas. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
