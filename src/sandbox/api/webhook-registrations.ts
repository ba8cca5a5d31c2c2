// PUT and DELETE /{orcid}/webhook/{callback} (SPEC 9).
import type { SandboxContext } from '../context.js';
import { webhookKey } from '../store/sandbox-store.js';
import { type Caller, requireScope } from './api-auth.js';
import { OrcidApiError } from './orcid-errors.js';
import type { ApiResult } from './record-writes.js';

export class WebhookRegistrations {
  constructor(private readonly ctx: SandboxContext) {}

  handle(caller: Caller, method: string, orcid: string, callback: string): ApiResult {
    requireScope(caller, '/webhook');
    const store = this.ctx.store;
    if (!store.researchers.has(orcid)) throw new OrcidApiError(9011);
    // ORCID prepends http:// to a callback without a scheme when it delivers.
    const uri = /^[a-z][a-z0-9+.-]*:/i.test(callback) ? callback : `http://${callback}`;
    try {
      const u = new URL(uri);
      if (!u.hostname) throw new Error('no host');
    } catch {
      throw new OrcidApiError(9012, {}, `Webhook uri: ${callback} is syntactically incorrect`);
    }
    const key = webhookKey(orcid, uri);
    const existing = store.webhooks.get(key);
    const self = `${this.ctx.urls.memberApi}/${orcid}/webhook/${encodeURIComponent(callback)}`;
    if (method === 'PUT') {
      if (existing) return { status: 204 };
      store.webhooks.set(key, {
        orcid,
        uri,
        clientId: caller.client!.clientId,
        registeredAt: store.now(),
        due: false,
        failedAttempts: 0,
        nextAttemptAt: 0,
      });
      return { status: 201, headers: { location: self } };
    }
    if (method === 'DELETE') {
      if (!existing) throw new OrcidApiError(9028, { orcid, uri: callback });
      if (existing.clientId !== caller.client!.clientId)
        throw new OrcidApiError(
          9014,
          {},
          'Unable to unregister webhook: Only the client that register the webhook can unregister it.',
        );
      store.webhooks.delete(key);
      return { status: 204 };
    }
    throw new OrcidApiError(9001, {}, 'Endpoint and method mismatch', 405);
  }
}
