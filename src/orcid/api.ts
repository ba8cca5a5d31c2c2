// The ORCID v3.0 API from the client's side: reads, create (put code from Location), update,
// delete, bulk works, duplicate recovery, group ids, webhooks and search, in JSON (default) or
// XML. Knows nothing of tenants beyond an id for the call log.
import type { Json, JsonObject } from '../../lib/orcid-model/codec.js';
import { NS, type OrcidModel, sharedModel } from '../../lib/orcid-model/orcid-model.js';
import { SECTION_BY_NAME, type SectionDef } from '../../lib/orcid-model/sections.js';
import type { OrcidEnvironment } from './environments.js';
import { OrcidError } from './errors.js';
import { matchKeys } from './item-match.js';
import type { OrcidHttpRequest, OrcidTransport } from './transport.js';

export type WireFormat = 'json' | 'xml';

export interface OrcidApiOptions {
  clientId: string;
  apiType: 'member' | 'public';
  format?: WireFormat;
  tenantId?: string | null;
  model?: OrcidModel;
}

export interface Root {
  ns: string;
  element: string;
}

export type BulkResult = { putCode: number; work: JsonObject } | { error: OrcidError };

const MEDIA: Record<WireFormat, string> = {
  json: 'application/vnd.orcid+json',
  xml: 'application/vnd.orcid+xml',
};

const NOTIFICATION: Root = { ns: NS('notification'), element: 'notification' };

export function sectionOf(name: string): SectionDef {
  const s = SECTION_BY_NAME.get(name);
  if (!s) throw new Error(`unknown ORCID section ${name}`);
  return s;
}

export class OrcidApi {
  private readonly format: WireFormat;
  private readonly model: OrcidModel;

  constructor(
    private readonly env: OrcidEnvironment,
    private readonly transport: OrcidTransport,
    private readonly o: OrcidApiOptions,
  ) {
    this.format = o.format ?? 'json';
    this.model = o.model ?? sharedModel();
  }

  private get base(): string {
    return this.o.apiType === 'member' ? this.env.memberApi : this.env.publicApi;
  }

  private codecFor(root: Root) {
    return this.model.codecFor(root.ns);
  }

  private encode(root: Root, json: JsonObject): string {
    return this.format === 'json'
      ? JSON.stringify(json)
      : this.codecFor(root).toXml(root.ns, root.element, json);
  }

  private decode(root: Root, body: string): JsonObject {
    if (this.format === 'json') return JSON.parse(body) as JsonObject;
    return this.codecFor(root).normalize(
      root.ns,
      root.element,
      this.codecFor(root).fromXml(body, root.ns, root.element),
    );
  }

  private async send(
    method: OrcidHttpRequest['method'],
    path: string,
    token: string | null,
    extra: { orcid?: string; body?: { root: Root; json: JsonObject }; accept?: string } = {},
  ) {
    const headers: Record<string, string> = { accept: extra.accept ?? MEDIA[this.format] };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (extra.body) {
      headers['content-type'] = MEDIA[this.format];
      body = this.encode(extra.body.root, extra.body.json);
    }
    return this.transport.send({
      method,
      url: `${this.base}${path}`,
      headers,
      body,
      tenantId: this.o.tenantId ?? null,
      orcid: extra.orcid ?? null,
      clientId: this.o.clientId,
    });
  }

  /** GET /v3.0/{orcid}/{path}, decoded to ORCID JSON. */
  async read(token: string | null, orcid: string, path: string, root: Root): Promise<JsonObject> {
    const res = await this.send('GET', `/v3.0/${orcid}${path ? `/${path}` : ''}`, token, { orcid });
    return this.decode(root, res.body);
  }

  record(token: string | null, orcid: string): Promise<JsonObject> {
    return this.read(token, orcid, 'record', { ns: NS('record'), element: 'record' });
  }

  /** A section's list (`works`, `employments`, `keywords`, …) with its grouping. */
  section(token: string | null, orcid: string, sectionName: string): Promise<JsonObject> {
    const s = sectionOf(sectionName);
    return this.read(token, orcid, s.listSegment, { ns: s.listNs, element: s.listElement });
  }

  item(token: string | null, orcid: string, sectionName: string, putCode: number): Promise<JsonObject> {
    const s = sectionOf(sectionName);
    return this.read(token, orcid, `${s.itemSegment}/${putCode}`, { ns: s.ns, element: s.element });
  }

  /** POST: returns the put code from the Location header. */
  async create(token: string, orcid: string, sectionName: string, item: JsonObject): Promise<number> {
    const s = sectionOf(sectionName);
    const res = await this.send('POST', `/v3.0/${orcid}/${s.itemSegment}`, token, {
      orcid,
      body: { root: { ns: s.ns, element: s.element }, json: item },
    });
    return putCodeFromLocation(res.headers.location);
  }

  /**
   * Creates the item, or adopts the one this client already has (409 / 9021, 9030): the put code
   * comes from ORCID's message, or else from the record's items with the same external ids whose
   * source is this client.
   */
  async createOrAdopt(
    token: string,
    orcid: string,
    sectionName: string,
    item: JsonObject,
  ): Promise<{ putCode: number; adopted: boolean }> {
    try {
      return { putCode: await this.create(token, orcid, sectionName, item), adopted: false };
    } catch (e) {
      if (!(e instanceof OrcidError) || e.kind !== 'duplicate') throw e;
      const known = e.details.existingPutCode ?? (await this.findOwnItem(token, orcid, sectionName, item));
      if (known === null) throw e;
      return { putCode: known, adopted: true };
    }
  }

  /** The put code of this client's item in the section that is this one (see item-match.ts). */
  async findOwnItem(
    token: string,
    orcid: string,
    sectionName: string,
    item: JsonObject,
  ): Promise<number | null> {
    const keys = this.itemKeys(sectionName, item);
    if (!keys.length) return null;
    const own = await this.ownItemsByKey(token, orcid, sectionName);
    for (const k of keys) {
      const putCode = own.get(k)?.[0];
      if (putCode !== undefined) return putCode;
    }
    return null;
  }

  /** What makes an item on the record this one (ORCID's duplicate rule, then content). */
  itemKeys(sectionName: string, item: JsonObject): string[] {
    return matchKeys(sectionOf(sectionName), item);
  }

  /** This client's items in the section (one read), by each of their keys: put codes, oldest first. */
  async ownItemsByKey(token: string, orcid: string, sectionName: string): Promise<Map<string, number[]>> {
    const s = sectionOf(sectionName);
    const list = await this.section(token, orcid, sectionName);
    const own = new Map<string, number[]>();
    for (const summary of summariesOf(s, list)) {
      if (sourceClientOf(summary) !== this.o.clientId) continue;
      const keyed =
        s.name === 'peer-review' ? { 'review-identifiers': summary['external-ids'] ?? null } : summary;
      const putCode = Number(summary['put-code']);
      for (const k of matchKeys(s, keyed)) {
        const codes = own.get(k) ?? [];
        codes.push(putCode);
        own.set(k, codes);
      }
    }
    for (const codes of own.values()) codes.sort((a, b) => a - b);
    return own;
  }

  /** PUT: the body carries the same put code; the updated item comes back. */
  async update(
    token: string,
    orcid: string,
    sectionName: string,
    putCode: number,
    item: JsonObject,
  ): Promise<JsonObject> {
    const s = sectionOf(sectionName);
    const root = { ns: s.ns, element: s.element };
    const res = await this.send('PUT', `/v3.0/${orcid}/${s.itemSegment}/${putCode}`, token, {
      orcid,
      body: { root, json: { ...item, 'put-code': putCode } },
    });
    return this.decode(root, res.body);
  }

  async delete(token: string, orcid: string, sectionName: string, putCode: number): Promise<void> {
    const s = sectionOf(sectionName);
    await this.send('DELETE', `/v3.0/${orcid}/${s.itemSegment}/${putCode}`, token, { orcid });
  }

  /** POST /works in calls of at most 100; each work comes back with its put code or its error. */
  async createWorks(token: string, orcid: string, works: JsonObject[]): Promise<BulkResult[]> {
    const root = { ns: NS('bulk'), element: 'bulk' };
    const out: BulkResult[] = [];
    for (let i = 0; i < works.length; i += 100) {
      const chunk = works.slice(i, i + 100);
      const res = await this.send('POST', `/v3.0/${orcid}/works`, token, {
        orcid,
        body: { root, json: { bulk: chunk.map((work) => ({ work })) } },
      });
      const bulk = (this.decode(root, res.body).bulk ?? []) as JsonObject[];
      for (const entry of bulk) {
        if (entry.work) {
          const work = entry.work as JsonObject;
          out.push({ putCode: Number(work['put-code']), work });
        } else {
          const err = (entry.error ?? {}) as JsonObject;
          const code = Number(err['error-code'] ?? 0);
          const message = String(err['developer-message'] ?? 'bulk entry failed');
          const pc = /put-code (\d+)/.exec(message)?.[1];
          out.push({
            error: new OrcidError(`ORCID ${err['response-code']} / ${code}: ${message}`, {
              kind: code === 9021 ? 'duplicate' : 'invalid',
              status: Number(err['response-code'] ?? 400),
              errorCode: code || null,
              developerMessage: message,
              userMessage: (err['user-message'] as string | undefined) ?? null,
              existingPutCode: pc ? Number(pc) : null,
            }),
          });
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ peer-review group ids

  async findGroupId(token: string, groupId: string): Promise<JsonObject | null> {
    try {
      const res = await this.send(
        'GET',
        `/v3.0/group-id-record?group-id=${encodeURIComponent(groupId)}`,
        token,
      );
      return this.decode({ ns: NS('group-id'), element: 'group-id-record' }, res.body);
    } catch (e) {
      if (e instanceof OrcidError && e.kind === 'not_found') return null;
      throw e;
    }
  }

  async createGroupId(
    token: string,
    record: { name: string; groupId: string; description: string; type: string },
  ): Promise<number> {
    const res = await this.send('POST', '/v3.0/group-id-record', token, {
      body: {
        root: { ns: NS('group-id'), element: 'group-id-record' },
        json: {
          name: record.name,
          'group-id': record.groupId,
          description: record.description,
          type: record.type,
        },
      },
    });
    return putCodeFromLocation(res.headers.location);
  }

  // ------------------------------------------------------------------ webhooks and search

  /** PUT /{orcid}/webhook/{callback}: true when newly registered (201), false when it already was (204). */
  async registerWebhook(token: string, orcid: string, callbackUrl: string): Promise<boolean> {
    const res = await this.send('PUT', `/${orcid}/webhook/${encodeURIComponent(callbackUrl)}`, token, {
      orcid,
    });
    return res.status === 201;
  }

  async unregisterWebhook(token: string, orcid: string, callbackUrl: string): Promise<void> {
    await this.send('DELETE', `/${orcid}/webhook/${encodeURIComponent(callbackUrl)}`, token, { orcid });
  }

  /**
   * POST /v3.0/{orcid}/notification-permission: a permission request in the researcher's ORCID
   * inbox (SPEC 6.10; client-credentials /premium-notification). Returns its put code.
   */
  async requestPermission(token: string, orcid: string, notification: JsonObject): Promise<number> {
    const res = await this.send('POST', `/v3.0/${orcid}/notification-permission`, token, {
      orcid,
      body: { root: NOTIFICATION, json: notification },
    });
    return putCodeFromLocation(res.headers.location);
  }

  /** GET one permission request this client sent (with its read, actioned and archived dates). */
  permissionRequest(token: string, orcid: string, putCode: number): Promise<JsonObject> {
    return this.read(token, orcid, `notification-permission/${putCode}`, NOTIFICATION);
  }

  /** DELETE archives a request the researcher has not read (403 / 9009 once read). */
  async archivePermissionRequest(token: string, orcid: string, putCode: number): Promise<void> {
    await this.send('DELETE', `/v3.0/${orcid}/notification-permission/${putCode}`, token, { orcid });
  }

  /** GET /v3.0/expanded-search: names and institutions with each iD (SPEC 11). */
  async expandedSearch(
    token: string | null,
    q: string,
    page: { start?: number; rows?: number } = {},
  ): Promise<{ results: ExpandedResult[]; numFound: number }> {
    const qs = new URLSearchParams({ q });
    if (page.start !== undefined) qs.set('start', String(page.start));
    if (page.rows !== undefined) qs.set('rows', String(page.rows));
    const res = await this.send('GET', `/v3.0/expanded-search?${qs}`, token);
    const doc = this.decode({ ns: NS('expanded-search'), element: 'expanded-search' }, res.body);
    const str = (v: Json | undefined) => (typeof v === 'string' ? v : null);
    return {
      results: ((doc['expanded-result'] ?? []) as JsonObject[]).map((r) => ({
        orcid: str(r['orcid-id']) ?? '',
        givenNames: str(r['given-names']),
        familyNames: str(r['family-names']),
        creditName: str(r['credit-name']),
        institutions: Array.isArray(r['institution-name'])
          ? (r['institution-name'] as Json[]).map(String)
          : [],
      })),
      numFound: Number(doc['num-found'] ?? 0),
    };
  }

  async search(
    token: string | null,
    q: string,
    page: { start?: number; rows?: number } = {},
  ): Promise<{ orcids: string[]; numFound: number }> {
    const qs = new URLSearchParams({ q });
    if (page.start !== undefined) qs.set('start', String(page.start));
    if (page.rows !== undefined) qs.set('rows', String(page.rows));
    const res = await this.send('GET', `/v3.0/search?${qs}`, token);
    const doc = this.decode({ ns: NS('search'), element: 'search' }, res.body);
    const results = (doc.result ?? []) as JsonObject[];
    return {
      orcids: results.map((r) => String((r['orcid-identifier'] as JsonObject | null)?.path ?? '')),
      numFound: Number(doc['num-found'] ?? 0),
    };
  }
}

/** One record as ORCID's expanded search lists it (public data only). */
export interface ExpandedResult {
  orcid: string;
  givenNames: string | null;
  familyNames: string | null;
  creditName: string | null;
  institutions: string[];
}

export function putCodeFromLocation(location: string | undefined): number {
  const pc = Number(location?.split('/').pop());
  if (!Number.isInteger(pc) || pc <= 0)
    throw new OrcidError(`ORCID created the item but sent no usable Location (${location ?? 'none'})`, {
      kind: 'invalid',
    });
  return pc;
}

/** The summaries of a section list, whatever its grouping. */
function summariesOf(s: SectionDef, list: JsonObject): JsonObject[] {
  const obj = (v: Json | undefined) =>
    (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as JsonObject;
  const arr = (v: Json | undefined) => (Array.isArray(v) ? (v as JsonObject[]) : []);
  if (s.kind === 'person') return arr(list[s.element]);
  if (s.grouping === 'affiliations')
    return arr(list['affiliation-group']).flatMap((g) =>
      arr(g.summaries).map((w) => obj(w[s.summaryElement!])),
    );
  if (s.grouping === 'peer-reviews')
    return arr(list.group).flatMap((g) =>
      arr(g['peer-review-group']).flatMap((pg) => arr(pg['peer-review-summary'])),
    );
  return arr(list.group).flatMap((g) => arr(g[s.summaryElement!]));
}

function sourceClientOf(item: JsonObject): string | null {
  const source = item.source as JsonObject | null | undefined;
  const client = source?.['source-client-id'] as JsonObject | null | undefined;
  return (client?.path as string | undefined) ?? null;
}
