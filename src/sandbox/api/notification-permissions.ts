// Permission notifications: a premium member client asks a researcher, through their ORCID inbox,
// to grant it permissions (SPEC 6.10; ORCID-Source NotificationsApiServiceDelegatorImpl).
// POST /v3.0/{orcid}/notification-permission → 201 and Location; GET one (only its source may)
// or the client's list; DELETE archives one that has not been read (403 / 9009 once read). A
// client-credentials token with /premium-notification is required; a researcher who does not
// accept requests from organisations makes the POST fail with 409 / 9032.
import type { Json, JsonObject } from '../../../lib/orcid-model/codec.js';
import { CodecError } from '../../../lib/orcid-model/codec.js';
import { NOTIFICATION_ITEM_TYPES } from '../../../lib/orcid-model/notification.js';
import { NS } from '../../../lib/orcid-model/orcid-model.js';
import type { SandboxContext } from '../context.js';
import type { InboxNotification, Researcher } from '../store/types.js';
import { type Caller, requireScope } from './api-auth.js';
import type { ApiRequest } from './api-request.js';
import { bodyFormat } from './negotiate.js';
import { OrcidApiError } from './orcid-errors.js';
import type { ApiResult } from './record-writes.js';

const NOTIFICATION_NS = NS('notification');
/** What ORCID fills in; a client's values for them are ignored. */
const READ_ONLY = [
  'put-code',
  'created-date',
  'sent-date',
  'read-date',
  'actioned-date',
  'archived-date',
  'source',
];

const text = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/**
 * Why the notification is not one ORCID accepts (the schema's rules: a permission, an
 * authorization URL, a subject, an intro of at most 1000 characters, and at least one item of a
 * known type with a name of at most 1000), or null.
 */
export function notificationProblem(n: JsonObject): string | null {
  if (n['notification-type'] !== 'permission') return 'notification-type must be permission';
  const url = n['authorization-url'] as JsonObject | null | undefined;
  if (!url || !(text(url.uri) || text(url.path))) return 'authorization-url needs a uri or a path';
  if (!text(n['notification-subject']).trim()) return 'notification-subject is required';
  const intro = text(n['notification-intro']);
  if (!intro.trim()) return 'notification-intro is required';
  if (intro.length > 1000) return 'notification-intro is longer than 1000 characters';
  const items = ((n.items as JsonObject | null)?.item ?? []) as JsonObject[];
  if (!items.length) return 'items must hold at least one item';
  for (const item of items) {
    if (!NOTIFICATION_ITEM_TYPES.has(text(item['item-type'])))
      return `item-type ${String(item['item-type'])} is not known`;
    const name = text(item['item-name']);
    if (!name.trim() || name.length > 1000) return 'item-name is required, at most 1000 characters';
  }
  return null;
}

/** Where "Grant permissions" leads in the registry: the URL's path and query, on the registry. */
export function authorizationTarget(registry: string, n: JsonObject): string {
  const url = n['authorization-url'] as JsonObject;
  const given = text(url.path) || text(url.uri);
  const u = new URL(given, registry);
  return `${registry.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}

export class NotificationPermissions {
  constructor(private readonly ctx: SandboxContext) {}

  handle(caller: Caller, req: ApiRequest, researcher: Researcher, rest: string[]): ApiResult {
    if (!caller.token || caller.token.orcid)
      throw new OrcidApiError(9004, {}, 'permission notifications need a client-credentials token');
    requireScope(caller, '/premium-notification');
    const [, putCodeText] = rest;
    if (rest.length === 1 && req.method === 'POST') return this.create(caller, req, researcher);
    if (rest.length === 1 && req.method === 'GET') {
      const mine = this.ctx.store
        .inboxOf(researcher.orcid)
        .filter((n) => n.clientId === caller.client!.clientId);
      return this.doc('notifications', { notification: mine.map((n) => this.json(n)) });
    }
    if (rest.length === 2 && putCodeText) {
      const n = this.find(caller, researcher.orcid, putCodeText);
      if (req.method === 'GET') return this.doc('notification', this.json(n));
      if (req.method === 'DELETE') {
        if (n.readAt !== null) throw new OrcidApiError(9009);
        n.archivedAt ??= this.ctx.store.now();
        return this.doc('notification', this.json(n));
      }
    }
    throw new OrcidApiError(9001, {}, `Endpoint and method mismatch: ${req.method} ${req.path}`, 405);
  }

  private create(caller: Caller, req: ApiRequest, researcher: Researcher): ApiResult {
    const posted = this.parse(req);
    const problem = notificationProblem(posted);
    if (problem) throw new OrcidApiError(9020, {}, problem);
    if (researcher.memberRequests === false) throw new OrcidApiError(9032, { orcid: researcher.orcid });
    const data = Object.fromEntries(Object.entries(posted).filter(([k]) => !READ_ONLY.includes(k)));
    const n = this.ctx.store.addNotification(researcher.orcid, caller.client!.clientId, data);
    return {
      status: 201,
      headers: {
        location: `${this.ctx.urls.memberApi}/v3.0/${researcher.orcid}/notification-permission/${n.putCode}`,
      },
    };
  }

  private parse(req: ApiRequest): JsonObject {
    const codec = this.ctx.model.notificationCodec;
    const format = bodyFormat(req.contentType);
    if (format === null)
      throw new OrcidApiError(9001, {}, `Unsupported Content-Type: ${req.contentType ?? '(none)'}`, 415);
    try {
      if (format === 'json') {
        const json = JSON.parse(req.body) as unknown;
        if (json === null || typeof json !== 'object' || Array.isArray(json))
          throw new OrcidApiError(9047, {}, 'the body must be a JSON object');
        return codec.normalize(NOTIFICATION_NS, 'notification', json as JsonObject);
      }
      return codec.normalize(
        NOTIFICATION_NS,
        'notification',
        codec.fromXml(req.body, NOTIFICATION_NS, 'notification'),
      );
    } catch (e) {
      if (e instanceof SyntaxError) throw new OrcidApiError(9047, {}, e.message);
      if (e instanceof CodecError) throw new OrcidApiError(9020, {}, e.message);
      throw e;
    }
  }

  private find(caller: Caller, orcid: string, putCodeText: string): InboxNotification {
    const n = /^\d+$/.test(putCodeText) ? this.ctx.store.notifications.get(Number(putCodeText)) : undefined;
    if (!n || n.orcid !== orcid) throw new OrcidApiError(9029, { id: putCodeText, orcid });
    if (n.clientId !== caller.client!.clientId)
      throw new OrcidApiError(9004, {}, `This notification does not belong to ${caller.client!.clientId}`);
    return n;
  }

  private json(n: InboxNotification): JsonObject {
    const client = this.ctx.store.clients.get(n.clientId);
    const date = (at: number | null) => (at === null ? null : { value: at });
    return {
      ...n.data,
      'created-date': date(n.createdAt),
      // The simulator delivers to the inbox at once.
      'sent-date': date(n.createdAt),
      'read-date': date(n.readAt),
      'actioned-date': date(n.actionedAt),
      'archived-date': date(n.archivedAt),
      source: {
        'source-orcid': null,
        'source-client-id': {
          uri: `${this.ctx.urls.registry}/client/${n.clientId}`,
          path: n.clientId,
          host: new URL(this.ctx.urls.registry).hostname,
        },
        'source-name': { value: client?.name ?? n.clientId },
      },
      'put-code': n.putCode,
    };
  }

  private doc(element: string, json: JsonObject): ApiResult {
    return { status: 200, doc: { ns: NOTIFICATION_NS, element, json } };
  }
}
