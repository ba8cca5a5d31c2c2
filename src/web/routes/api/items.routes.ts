// Connect through the API: the organisation states people and the items Lanyard writes to their
// records (idempotent by source key), and reads each item's status and put code.
import { z } from 'zod';
import type { Item } from '../../../db/rows.js';
import { ITEM_STATUSES, WRITABLE_SECTIONS } from '../../../domain/item.js';
import { MAX_VALUE_LENGTH } from '../../../domain/item-rules.js';
import { checkItem, loadPayloadChecks } from '../../../orcid/payload-check.js';
import type { ItemIntakeService } from '../../../services/item-intake.service.js';
import { webErrors } from '../../errors.js';
import type { ApiInstance } from './api-schemas.js';
import { errorBody, errors, localId, security, sourceKey, value } from './api-schemas.js';

const isoDate = z.iso.date();

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

export function itemRoutes(api: ApiInstance, d: { intake: ItemIntakeService }): void {
  const common = { tags: ['people and items'], security };
  const noItem = (key: string) => webErrors.notFound(`no item with source key ${key}`);

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

  api.post(
    '/api/v1/items/:sourceKey/retry',
    {
      schema: {
        ...common,
        operationId: 'retryItem',
        summary:
          'Write again an item that failed or was refused (after its data was fixed), ahead of the queue',
        params: sourceKey,
        response: {
          200: itemView,
          ...errors,
          409: errorBody.describe('The item is not failed, invalid, retrying or waiting for a locked record'),
        },
      },
    },
    async (req) => {
      const r = await d.intake.retryItem(req.apiTenantId!, req.params.sourceKey);
      if (!r) throw noItem(req.params.sourceKey);
      if (!r.retried)
        throw webErrors.conflict(
          `item ${req.params.sourceKey} is ${r.item.status}: only a failed, invalid, retrying or record_unavailable item is retried`,
        );
      return viewOf(r.item);
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
}
