// Peer-review group-id records (SPEC 6.9): client-credentials tokens with /group-id-record/*.

import type { JsonObject } from '../../../lib/orcid-model/codec.js';
import { ORCID_ERROR } from '../../../lib/orcid-model/error-codes.js';
import { NS } from '../../../lib/orcid-model/orcid-model.js';
import type { SandboxContext } from '../context.js';
import type { GroupIdRecord } from '../store/types.js';
import { type Caller, requireScope } from './api-auth.js';
import type { ApiRequest } from './api-request.js';
import { OrcidApiError } from './orcid-errors.js';
import { type ApiResult, parseBody } from './record-writes.js';

const GROUP_ID_RE = /^(ringgold:|issn:|orcid-generated:|fundref:|publons:).{2,}$/;
const GROUP_NS = NS('group-id');

export class GroupIdRecords {
  constructor(private readonly ctx: SandboxContext) {}

  private json(g: GroupIdRecord): JsonObject {
    return {
      name: g.name,
      'group-id': g.groupId,
      description: g.description,
      type: g.type,
      'put-code': g.putCode,
    };
  }

  private doc(element: string, json: JsonObject, status = 200): ApiResult {
    return { status, doc: { ns: GROUP_NS, element, json } };
  }

  private find(putCodeText: string): GroupIdRecord {
    if (!/^\d+$/.test(putCodeText)) throw new OrcidApiError(9034, { putCode: putCodeText });
    const g = this.ctx.store.groups.get(Number(putCodeText));
    if (!g) throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
    return g;
  }

  private parse(req: ApiRequest): GroupIdRecord {
    const json = parseBody(this.ctx, GROUP_NS, 'group-id-record', req.contentType, req.body);
    const g = {
      putCode: Number(json['put-code'] ?? 0),
      name: String(json.name ?? '').trim(),
      groupId: String(json['group-id'] ?? '').trim(),
      description: String(json.description ?? '').trim(),
      type: String(json.type ?? '').trim(),
      clientId: null,
    };
    if (!g.name || !g.description || !g.type)
      throw new OrcidApiError(9006, {}, 'name, description and type are required');
    if (!GROUP_ID_RE.test(g.groupId))
      throw new OrcidApiError(
        9006,
        {},
        `Invalid group-id ${g.groupId}: it must start with ringgold:, issn:, orcid-generated:, fundref: or publons:`,
      );
    return g;
  }

  handle(caller: Caller, req: ApiRequest, rest: string[]): ApiResult {
    if (caller.token?.orcid) throw new OrcidApiError(9038);
    const store = this.ctx.store;
    const all = [...store.groups.values()].sort((a, b) => a.putCode - b.putCode);
    if (req.method === 'GET') {
      requireScope(caller, '/group-id-record/read');
      if (rest.length === 1) return this.doc('group-id-record', this.json(this.find(rest[0]!)));
      const byId = req.query['group-id'];
      if (byId !== undefined) {
        let g = all.find((x) => x.groupId === byId);
        if (!g && /^issn:\d{4}-?\d{3}[\dX]$/i.test(byId))
          g = this.add({
            putCode: 0,
            name: byId,
            groupId: byId,
            description: byId,
            type: 'journal',
            clientId: null,
          });
        if (!g) throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
        return this.doc('group-id-record', this.json(g));
      }
      const byName = req.query.name;
      if (byName !== undefined) {
        const g = all.find((x) => x.name === byName);
        if (!g) throw new OrcidApiError(ORCID_ERROR.NOT_FOUND);
        return this.doc('group-id-record', this.json(g));
      }
      const pageSize = Math.min(Math.max(Number(req.query['page-size'] ?? 100) || 100, 1), 1000);
      const page = Math.max(Number(req.query.page ?? 1) || 1, 1);
      const slice = all.slice((page - 1) * pageSize, page * pageSize);
      return this.doc('group-id-records', {
        'last-modified-date': null,
        total: all.length,
        page,
        'page-size': pageSize,
        'group-id-record': slice.map((g) => this.json(g)),
      });
    }
    requireScope(caller, '/group-id-record/update');
    if (req.method === 'POST' && rest.length === 0) {
      const g = this.parse(req);
      const existing = all.find((x) => x.groupId === g.groupId);
      if (existing) throw new OrcidApiError(9025, { groupId: g.groupId });
      const created = this.add({ ...g, clientId: caller.client!.clientId });
      return {
        status: 201,
        headers: { location: `${this.ctx.urls.memberApi}/v3.0/group-id-record/${created.putCode}` },
      };
    }
    if (req.method === 'PUT' && rest.length === 1) {
      const g = this.find(rest[0]!);
      const next = this.parse(req);
      if (String(next.putCode) !== rest[0])
        throw new OrcidApiError(9019, { urlPutCode: rest[0]!, bodyPutCode: String(next.putCode || 'null') });
      if (all.some((x) => x.groupId === next.groupId && x.putCode !== g.putCode))
        throw new OrcidApiError(9025, { groupId: next.groupId });
      Object.assign(g, {
        name: next.name,
        groupId: next.groupId,
        description: next.description,
        type: next.type,
      });
      return this.doc('group-id-record', this.json(g));
    }
    if (req.method === 'DELETE' && rest.length === 1) {
      const g = this.find(rest[0]!);
      const used = [...store.items.values()].some(
        (i) => i.section === 'peer-review' && i.data['review-group-id'] === g.groupId,
      );
      if (used) throw new OrcidApiError(9040, {}, 'The group id record is referenced by peer reviews', 409);
      store.groups.delete(g.putCode);
      return { status: 204 };
    }
    throw new OrcidApiError(9001, {}, 'Endpoint and method mismatch', 405);
  }

  private add(g: GroupIdRecord): GroupIdRecord {
    const putCode = this.ctx.store.nextPutCode++;
    const created = { ...g, putCode };
    this.ctx.store.groups.set(putCode, created);
    return created;
  }
}
