// Collect through the API: the organisation's people with their links (iD, status, scopes,
// granted and expiry times, last synchronised; never a token), one person's collected record by
// section, and the change feed a CRIS polls (GET /api/v1/changes?after=<cursor>).
import { z } from 'zod';
import type { LinkedPerson, RecordChangeRow } from '../../../db/rows.js';
import { COLLECTED_SECTIONS } from '../../../domain/collected-record.js';
import type { CollectService } from '../../../services/collect.service.js';
import type { OrcidClients } from '../../../services/orcid-clients.js';
import type { RegistrySearchService } from '../../../services/registry-search.service.js';
import type { TenantDirectory } from '../../../services/tenant-directory.js';
import { webErrors } from '../../errors.js';
import { type ApiInstance, errorBody, errors, localId, security } from './api-schemas.js';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

const link = z
  .object({
    orcid: z.string(),
    orcidUri: z.string().describe("The iD as ORCID's display guidelines want it shown"),
    status: z.string().describe('active, revoked'),
    scopes: z.array(z.string()),
    grantedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastSynchronisedAt: z.iso.datetime().nullable(),
    syncError: z.string().nullable().describe('Why the last read of the record did not complete'),
  })
  .meta({ id: 'Link' });

const personView = z
  .object({
    localId: z.string(),
    givenNames: z.string().nullable(),
    familyName: z.string().nullable(),
    email: z.string().nullable(),
    link: link.nullable(),
  })
  .meta({ id: 'LinkedPerson' });

const externalId = z.object({
  type: z.string(),
  value: z.string(),
  relationship: z.string().nullable(),
  url: z.string().nullable(),
});

const collectedItem = z
  .object({
    key: z.string().describe('The put code, or name, biography, email:<address>'),
    putCode: z.number().int().nullable(),
    source: z.object({
      clientId: z.string().nullable(),
      orcid: z.string().nullable(),
      name: z.string().nullable(),
      own: z.boolean().describe("Written by this organisation's ORCID client"),
    }),
    sourceKey: z.string().nullable().describe("The organisation's item behind it, if it wrote it"),
    visibility: z.string().nullable(),
    title: z.string().nullable(),
    organisation: z.string().nullable(),
    role: z.string().nullable(),
    department: z.string().nullable(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    type: z.string().nullable(),
    value: z.string().nullable(),
    externalIds: z.array(externalId),
    lastModified: z.iso.datetime().nullable(),
    orcid: z.record(z.string(), z.unknown()).describe("ORCID's JSON of the item (a summary for activities)"),
  })
  .meta({ id: 'CollectedItem' });

const changeView = z
  .object({
    cursor: z.string(),
    at: z.iso.datetime(),
    kind: z
      .string()
      .describe(
        'item.added, item.changed, item.visibility, item.removed, item.deleted_by_researcher, link.connected, link.revoked, link.unavailable',
      ),
    localId: z.string(),
    orcid: z.string(),
    section: z.string().nullable(),
    putCode: z.number().int().nullable(),
    own: z.boolean(),
    sourceKey: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'Change' });

const cursor = z.string().max(200);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

export interface CollectRouteDeps {
  collect: CollectService;
  registry: RegistrySearchService;
  orcid: OrcidClients;
  directory: TenantDirectory;
}

export function collectRoutes(api: ApiInstance, d: CollectRouteDeps): void {
  const common = { tags: ['collected records'], security };
  const registryOf = async (tenantId: string) => {
    const tenant = await d.directory.byId(tenantId);
    return tenant ? d.orcid.environmentOf(tenant).registry : '';
  };
  const linkView = (p: LinkedPerson, registry: string): z.infer<typeof link> | null =>
    p.link_id
      ? {
          orcid: p.orcid!,
          orcidUri: `${registry}/${p.orcid}`,
          status: p.status!,
          scopes: (p.scope ?? '').split(/\s+/).filter(Boolean),
          grantedAt: iso(p.granted_at)!,
          expiresAt: iso(p.expires_at)!,
          revokedAt: iso(p.revoked_at),
          lastSynchronisedAt: iso(p.synced_at),
          syncError: p.sync_error,
        }
      : null;
  const personOf = (p: LinkedPerson, registry: string): z.infer<typeof personView> => ({
    localId: p.local_id,
    givenNames: p.given_names,
    familyName: p.family_name,
    email: p.email,
    link: linkView(p, registry),
  });

  api.get(
    '/api/v1/people',
    {
      schema: {
        ...common,
        operationId: 'listPeople',
        summary: 'People with their ORCID links, by local id, a page at a time',
        querystring: z.object({
          after: cursor.optional().describe('The `next` of the previous page'),
          limit,
          status: z.enum(['active', 'revoked', 'none']).optional().describe('none: never connected'),
          changedSince: z.iso
            .datetime()
            .optional()
            .describe('Only people whose record or link changed since'),
        }),
        response: {
          200: z.object({ people: z.array(personView), next: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await d.collect.people(req.apiTenantId!, {
        limit: q.limit,
        ...(q.after ? { cursor: q.after } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.changedSince ? { changedSince: new Date(q.changedSince) } : {}),
      });
      const registry = await registryOf(req.apiTenantId!);
      return { people: page.people.map((p) => personOf(p, registry)), next: page.next };
    },
  );

  api.get(
    '/api/v1/people/:localId/record',
    {
      schema: {
        ...common,
        operationId: 'getPersonRecord',
        summary: "A person's link and the collected copy of their ORCID record, by section",
        params: localId,
        response: {
          200: z.object({
            person: personView,
            sections: z.partialRecord(z.enum(COLLECTED_SECTIONS), z.array(collectedItem)),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const tenantId = req.apiTenantId!;
      const found = await d.collect.record(tenantId, req.params.localId);
      if (!found) throw webErrors.notFound(`no person with local id ${req.params.localId}`);
      const sections: Record<string, z.infer<typeof collectedItem>[]> = {};
      for (const r of found.items) {
        sections[r.section] ??= [];
        sections[r.section]!.push({
          key: r.key,
          putCode: r.put_code === null ? null : Number(r.put_code),
          source: { clientId: r.source_client_id, orcid: r.source_orcid, name: r.source_name, own: r.own },
          sourceKey: r.source_key,
          visibility: r.visibility,
          title: r.title,
          organisation: r.organisation,
          role: r.role,
          department: r.department,
          startDate: r.start_date,
          endDate: r.end_date,
          type: r.type,
          value: r.value,
          externalIds: r.external_ids as z.infer<typeof externalId>[],
          lastModified: iso(r.last_modified),
          orcid: r.document as Record<string, unknown>,
        });
      }
      return { person: personOf(found.person, await registryOf(tenantId)), sections };
    },
  );

  api.get(
    '/api/v1/registry',
    {
      schema: {
        ...common,
        operationId: 'searchRegistry',
        summary: "Records in ORCID's public registry that list the organisation, marked when connected here",
        querystring: z.object({
          start: z.coerce.number().int().min(0).max(9999).default(0),
          rows: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            query: z.string().describe('What ORCID was asked (organisation id and name)'),
            numFound: z.number().int(),
            results: z.array(
              z.object({
                orcid: z.string(),
                givenNames: z.string().nullable(),
                familyNames: z.string().nullable(),
                creditName: z.string().nullable(),
                institutions: z.array(z.string()),
                connectedAs: z.string().nullable().describe('Local id of the person connected with it here'),
              }),
            ),
          }),
          ...errors,
          502: errorBody.describe('ORCID could not be searched'),
        },
      },
    },
    async (req) => {
      const tenant = await d.directory.byId(req.apiTenantId!);
      if (!tenant) throw webErrors.notFound('no such organisation');
      return d.registry.search(tenant, { start: req.query.start, rows: req.query.rows });
    },
  );

  api.get(
    '/api/v1/changes',
    {
      schema: {
        ...common,
        operationId: 'listChanges',
        summary: 'What changed on which record, in order, after a cursor (poll with `next`)',
        querystring: z.object({
          after: cursor.optional().describe('The `next` of the previous call; left out: from the start'),
          limit,
        }),
        response: { 200: z.object({ changes: z.array(changeView), next: z.string() }), ...errors },
      },
    },
    async (req) => {
      const page = await d.collect.changes(req.apiTenantId!, {
        limit: req.query.limit,
        ...(req.query.after ? { cursor: req.query.after } : {}),
      });
      return { changes: page.changes.map(changeOf), next: page.next };
    },
  );
}

const changeOf = (c: RecordChangeRow): z.infer<typeof changeView> => ({
  cursor: Buffer.from(c.id, 'utf8').toString('base64url'),
  at: iso(c.at)!,
  kind: c.kind,
  localId: c.local_id,
  orcid: c.orcid,
  section: c.section,
  putCode: c.put_code === null ? null : Number(c.put_code),
  own: c.own,
  sourceKey: c.source_key,
  detail: (c.detail as Record<string, unknown> | null) ?? null,
});
