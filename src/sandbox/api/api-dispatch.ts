// Routes a request on the member (`/api`) or public (`/pub`) host to its handler: versions and
// redirects (SPEC 6.1), record states (SPEC 8), reads (SPEC 6.4/6.5), writes, webhooks, groups, search.

import type { Json, JsonObject } from '../../../lib/orcid-model/codec.js';
import { ORCID_ERROR } from '../../../lib/orcid-model/error-codes.js';
import { NS } from '../../../lib/orcid-model/orcid-model.js';
import {
  SECTION_BY_ITEM_SEGMENT,
  SECTION_BY_LIST_SEGMENT,
  SECTION_BY_NAME,
  type SectionDef,
} from '../../../lib/orcid-model/sections.js';
import type { SandboxContext } from '../context.js';
import { isOrcidFormat } from '../ids.js';
import { LruCache } from '../lru-cache.js';
import type { Researcher } from '../store/types.js';
import { authenticate, bearerOf, type Caller, checkTokenRecord } from './api-auth.js';
import type { ApiRequest } from './api-request.js';
import { GroupIdRecords } from './group-id-records.js';
import { NotificationPermissions } from './notification-permissions.js';
import { OrcidApiError } from './orcid-errors.js';
import { canSee, RecordView } from './record-view.js';
import { type ApiResult, RecordWrites } from './record-writes.js';
import { SearchApi } from './search-api.js';
import { WebhookRegistrations } from './webhook-registrations.js';

export type { ApiRequest, ApiResult };

export class ApiDispatcher {
  readonly view: RecordView;
  private readonly writes: RecordWrites;
  private readonly groups: GroupIdRecords;
  private readonly search: SearchApi;
  private readonly webhooks: WebhookRegistrations;
  private readonly notifications: NotificationPermissions;

  constructor(private readonly ctx: SandboxContext) {
    this.view = new RecordView(ctx);
    this.writes = new RecordWrites(ctx, this.view);
    this.groups = new GroupIdRecords(ctx);
    this.search = new SearchApi(ctx);
    this.webhooks = new WebhookRegistrations(ctx);
    this.notifications = new NotificationPermissions(ctx);
  }

  /** The redirect or error for a path that is not `/v3.0/...`, or null when it is. */
  private versionCheck(req: ApiRequest, segments: string[]): ApiResult | null {
    const first = segments[0] ?? '';
    if (first === 'v3.0') return null;
    const rest = segments.slice(1).join('/');
    const qs = new URLSearchParams(req.query).toString();
    const base = req.api === 'member' ? this.ctx.urls.memberApi : this.ctx.urls.publicApi;
    if (/^v3\.0_rc\d$/.test(first))
      return { status: 308, headers: { location: `${base}/v3.0/${rest}${qs ? `?${qs}` : ''}` } };
    if (/^v1\./.test(first)) throw new OrcidApiError(9012, {}, 'API Version 1.x is no longer available', 400);
    if (/^v\d/.test(first))
      throw new OrcidApiError(
        9012,
        {},
        `This simulator serves API v3.0 only; ${first} is not available`,
        400,
      );
    if (req.method === 'GET')
      return {
        status: 302,
        headers: { location: `${base}/v3.0/${segments.join('/')}${qs ? `?${qs}` : ''}` },
      };
    throw new OrcidApiError(9012, {}, `Please specify the API Version you want to ${req.method} to`);
  }

  handle(req: ApiRequest): ApiResult {
    const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    // Webhooks are unversioned: /{orcid}/webhook/{callback}
    if (segments[1] === 'webhook' && req.api === 'member' && segments.length >= 3) {
      const caller = authenticate(this.ctx, req.api, bearerOf(req.authorization, req.query), req.method);
      return this.webhooks.handle(caller, req.method, segments[0]!, segments.slice(2).join('/'));
    }
    const redirect = this.versionCheck(req, segments);
    if (redirect) return redirect;
    const [, head, ...rest] = segments;
    if (head === 'status')
      return {
        status: 200,
        doc: {
          ns: '',
          element: 'status',
          json: { tomcatUp: true, dbConnectionOk: true, readOnlyDbConnectionOk: true, overallOk: true },
        },
      };
    const caller = authenticate(this.ctx, req.api, bearerOf(req.authorization, req.query), req.method);
    if (head === 'search' || head === 'expanded-search' || head === 'csv-search') {
      if (req.method !== 'GET') throw new OrcidApiError(9001, {}, 'Endpoint and method mismatch', 405);
      return this.search.handle(caller, head, req.query);
    }
    if (head === 'group-id-record' && req.api === 'member') return this.groups.handle(caller, req, rest);
    if (head === 'client' && rest.length === 1 && req.method === 'GET') return this.clientSummary(rest[0]!);
    if (!head || !isOrcidFormat(head)) throw new OrcidApiError(ORCID_ERROR.NOT_FOUND, {}, undefined, 404);
    return this.record(req, caller, head, rest);
  }

  private clientSummary(clientId: string): ApiResult {
    const c = this.ctx.store.clients.get(clientId);
    if (!c) throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
    return {
      status: 200,
      doc: {
        ns: '',
        element: 'client',
        json: { name: c.name, description: c.description, 'website-uri': c.website, 'client-id': c.clientId },
      },
    };
  }

  /** SPEC 8: unknown, deprecated, locked, deactivated. */
  private researcherFor(req: ApiRequest, orcid: string): Researcher {
    const r = this.ctx.store.researchers.get(orcid);
    if (!r) throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
    if (r.state === 'deprecated') {
      const primary = r.primary ?? '';
      const primaryUri = this.ctx.urls.orcidUri(primary);
      if (req.method === 'GET') {
        const e = new OrcidApiError(ORCID_ERROR.DEPRECATED, { primary: primaryUri }, undefined, 301);
        const base = req.api === 'member' ? this.ctx.urls.memberApi : this.ctx.urls.publicApi;
        e.headers.location = `${base}${req.path.replace(orcid, primary)}`;
        throw e;
      }
      throw new OrcidApiError(ORCID_ERROR.DEPRECATED, { primary: primaryUri });
    }
    if (r.state === 'locked') throw new OrcidApiError(ORCID_ERROR.LOCKED, { orcid });
    if (r.state === 'deactivated') throw new OrcidApiError(ORCID_ERROR.DEACTIVATED, { orcid });
    return r;
  }

  private record(req: ApiRequest, caller: Caller, orcid: string, rest: string[]): ApiResult {
    const r = this.researcherFor(req, orcid);
    checkTokenRecord(caller, orcid);
    const [seg, a] = rest;
    if (seg === 'notification-permission' && req.api === 'member')
      return this.notifications.handle(caller, req, r, rest);
    if (req.method === 'GET') return this.read(caller, r, rest);
    if (req.api === 'public') throw new OrcidApiError(9001, {}, 'The public API is read only', 405);
    const itemSection = seg ? SECTION_BY_ITEM_SEGMENT.get(seg) : undefined;
    if (req.method === 'POST') {
      if (seg === 'works' && rest.length === 1)
        return this.writes.bulkCreate(caller, orcid, req.contentType, req.body);
      if (itemSection && rest.length === 1)
        return this.writes.create(caller, orcid, itemSection, req.contentType, req.body);
    }
    if (req.method === 'PUT' && itemSection && a && rest.length === 2)
      return this.writes.update(caller, orcid, itemSection, a, req.contentType, req.body);
    if (req.method === 'DELETE' && itemSection && a && rest.length === 2)
      return this.writes.remove(caller, orcid, itemSection, a);
    throw new OrcidApiError(9001, {}, `Endpoint and method mismatch: ${req.method} ${req.path}`, 405);
  }

  private doc(ns: string, element: string, json: JsonObject): ApiResult {
    return { status: 200, doc: { ns, element, json } };
  }

  /**
   * Read documents depend only on the record's state and on who reads, so they are memoised by
   * record version and viewer; authentication and record-state checks still run on every request.
   */
  private readonly reads = new LruCache<string, ApiResult>(500);

  private read(caller: Caller, r: Researcher, rest: string[]): ApiResult {
    const v = caller.viewer;
    const key = `${r.orcid}|${this.ctx.store.version(r.orcid)}|${v.api}|${v.clientId}|${caller.token?.scopes.join(' ') ?? ''}|${rest.join('/')}`;
    const hit = this.reads.get(key);
    if (hit) return hit;
    const result = this.buildRead(caller, r, rest);
    this.reads.set(key, result);
    return result;
  }

  private buildRead(caller: Caller, r: Researcher, rest: string[]): ApiResult {
    const v = caller.viewer;
    const [seg, a, b] = rest;
    if (rest.length === 0 || (seg === 'record' && rest.length === 1))
      return this.doc(NS('record'), 'record', this.view.record(v, r));
    if (rest.length === 1) {
      switch (seg) {
        case 'person':
          return this.doc(NS('person'), 'person', this.view.person(v, r));
        case 'personal-details':
          return this.doc(NS('personal-details'), 'personal-details', this.view.personalDetails(v, r));
        case 'email':
          return this.doc(NS('email'), 'emails', this.view.emails(v, r));
        case 'activities':
          return this.doc(NS('activities'), 'activities-summary', this.view.activities(v, r));
        case 'summary':
          if (v.api === 'public')
            throw new OrcidApiError(9001, {}, 'The record summary is on the member API only', 404);
          return this.doc(NS('summary'), 'record-summary', this.view.recordSummary(v, r));
        case 'biography': {
          const bio = this.view.biography(v, r);
          if (bio === null) throw new OrcidApiError(r.biography ? 9039 : 9041);
          return this.doc(NS('personal-details'), 'biography', bio as JsonObject);
        }
      }
      const listSection = SECTION_BY_LIST_SEGMENT.get(seg!);
      if (listSection) {
        if (listSection.kind === 'person')
          return this.doc(
            listSection.listNs,
            listSection.listElement,
            this.view.section(v, r.orcid, listSection),
          );
        return this.doc(
          NS('activities'),
          listSection.listElement,
          this.view.section(v, r.orcid, listSection),
        );
      }
    }
    const section = seg ? SECTION_BY_ITEM_SEGMENT.get(seg) : undefined;
    if (seg === 'works' && rest.length === 2) return this.bulkRead(caller, r, a!);
    if (section && rest.length === 2) {
      const item = this.readableItem(caller, r, section, a!);
      return this.doc(section.ns, section.element, this.view.item(item));
    }
    if (section?.summaryElement && a === 'summary' && rest.length === 3) {
      const item = this.readableItem(caller, r, section, b!);
      return this.doc(section.ns, section.summaryElement, this.view.summary(item));
    }
    throw new OrcidApiError(9001, {}, `Unknown resource ${rest.join('/')}`, 404);
  }

  private readableItem(caller: Caller, r: Researcher, section: SectionDef, putCodeText: string) {
    if (!/^\d+$/.test(putCodeText)) {
      if (caller.viewer.api === 'public') throw new OrcidApiError(9001, {}, undefined, 404);
      throw new OrcidApiError(9034, { putCode: putCodeText });
    }
    const item = this.ctx.store.items.get(Number(putCodeText));
    if (!item || item.orcid !== r.orcid || item.section !== section.name)
      throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
    if (!canSee(caller.viewer, item, section)) {
      if (caller.viewer.api === 'public') throw new OrcidApiError(9039);
      if (item.visibility === 'private') throw new OrcidApiError(9013);
      throw new OrcidApiError(9038);
    }
    return item;
  }

  private bulkRead(caller: Caller, r: Researcher, list: string): ApiResult {
    const codes = list.split(',').filter(Boolean);
    if (codes.length > 100) throw new OrcidApiError(9042);
    const section = SECTION_BY_NAME.get('work')!;
    const bulk = codes.map((pc): Json => {
      try {
        return { work: this.view.item(this.readableItem(caller, r, section, pc)) };
      } catch (e) {
        if (e instanceof OrcidApiError) return { error: e.body };
        throw e;
      }
    });
    return this.doc(NS('bulk'), 'bulk', { bulk });
  }
}
