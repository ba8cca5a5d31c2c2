// ORCID webhooks (SPEC 9), for tenants whose premium client has them: each active link has one
// subscription, registered at ORCID with a client-credentials /webhook token and a callback
// `<public url>/hooks/orcid/<token>` (256-bit, stored hashed); unregistered when the link ends;
// repaired daily. An inbound notification only means "re-read this record": it queues a re-read
// (coalesced per link) and nothing in its body is read or trusted.
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { WebhookSubscriptionRepository } from '../db/webhook-subscription.repository.js';
import type { Logger } from '../logger.js';
import { OrcidError } from '../orcid/errors.js';
import type { OrcidClients } from './orcid-clients.js';
import type { RecordSyncQueue, WebhookQueue } from './ports.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface WebhookDeps {
  directory: TenantDirectory;
  links: OrcidLinkRepository;
  subscriptions: WebhookSubscriptionRepository;
  orcid: OrcidClients;
  recordSync: RecordSyncQueue;
  webhookQueue: WebhookQueue;
  logger: Logger;
  /** Where ORCID reaches this installation (the callback's base). */
  publicUrl: () => string;
}

/** How long a process remembers a known callback token (an ended one may be honoured that long). */
const KNOWN_TOKEN_MS = 30_000;

export class WebhookService {
  /** Known tokens, so a burst of notifications costs one lookup each (the re-read queue coalesces). */
  private readonly known = new LRUCache<string, { tenantId: string; linkId: string }>({
    max: 50_000,
    ttl: KNOWN_TOKEN_MS,
  });

  constructor(private readonly d: WebhookDeps) {}

  private webhookToken(tenantId: string): Promise<string | null> {
    return this.d.directory.byId(tenantId).then(async (tenant) => {
      if (!tenant) return null;
      const { oauth } = await this.d.orcid.for(tenant);
      return this.d.directory.derived(tenant, 'webhook-token', () =>
        oauth.clientCredentials('/webhook').then((t) => t.access_token),
      );
    });
  }

  /** Subscribes an active link of a tenant with webhooks (nothing to do otherwise). */
  async subscribe(tenantId: string, linkId: string): Promise<'registered' | 'skipped' | 'refused'> {
    const tenant = await this.d.directory.byId(tenantId);
    const link = await this.d.links.byId(tenantId, linkId);
    if (!tenant?.sync_settings.webhooks || link?.status !== 'active') return 'skipped';
    if (await this.d.subscriptions.current(tenantId, linkId)) return 'skipped';
    const token = randomBytes(32).toString('base64url');
    const callback = `${this.d.publicUrl().replace(/\/+$/, '')}/hooks/orcid/${token}`;
    const sub = await this.d.subscriptions.create(tenantId, linkId, link.orcid, token, callback);
    if (!sub) return 'skipped';
    try {
      const bearer = await this.webhookToken(tenantId);
      const { api } = await this.d.orcid.for(tenant);
      await api.registerWebhook(bearer!, link.orcid, callback);
      await this.d.subscriptions.registered(tenantId, sub.id);
      return 'registered';
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      await this.d.subscriptions.failed(tenantId, sub.id, why);
      // Nothing was registered: the next attempt starts with a new token.
      await this.d.subscriptions.ended(tenantId, sub.id);
      if (!(e instanceof OrcidError) || e.kind === 'transient') throw e;
      this.d.logger.warn({ tenantId, orcid: link.orcid, error: why }, 'ORCID refused the webhook');
      return 'refused';
    }
  }

  /** Unregisters the link's subscriptions at ORCID (one ORCID no longer knows is simply ended). */
  async unsubscribe(tenantId: string, linkId: string): Promise<number> {
    const subs = await this.d.subscriptions.ending(tenantId, linkId);
    if (!subs.length) return 0;
    const tenant = await this.d.directory.byId(tenantId);
    if (!tenant) return 0;
    const { api } = await this.d.orcid.for(tenant);
    const bearer = await this.webhookToken(tenantId);
    for (const s of subs) {
      try {
        await api.unregisterWebhook(bearer!, s.orcid, s.callback);
      } catch (e) {
        if (!(e instanceof OrcidError) || e.kind === 'transient') throw e;
        // Not registered (9028) or already gone: nothing is left at ORCID to remove.
        if (e.kind !== 'not_found') await this.d.subscriptions.failed(tenantId, s.id, e.message);
      }
      await this.d.subscriptions.ended(tenantId, s.id);
    }
    return subs.length;
  }

  /**
   * An inbound notification: true when the token names a live subscription (a re-read of its
   * link is queued), false when it names none (nothing is written).
   */
  async notified(token: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
    let sub = this.known.get(token);
    if (!sub) {
      const row = await this.d.subscriptions.byToken(token);
      if (!row) return false;
      sub = { tenantId: row.tenant_id, linkId: row.link_id };
      this.known.set(token, sub);
    }
    await this.d.recordSync.enqueueSync(sub.tenantId, sub.linkId, 'webhook');
    return true;
  }

  /** The daily repair of one tenant: every active link subscribed, none left for an ended one. */
  async repair(tenantId: string): Promise<{ subscribed: number; unsubscribed: number }> {
    const tenant = await this.d.directory.byId(tenantId);
    const { missing, stale } = await this.d.subscriptions.drift(tenantId, 10_000);
    const wanted = tenant?.sync_settings.webhooks ? missing : [];
    for (const linkId of wanted) await this.d.webhookQueue.enqueueWebhook(tenantId, linkId, 'subscribe');
    for (const linkId of stale) await this.d.webhookQueue.enqueueWebhook(tenantId, linkId, 'unsubscribe');
    return { subscribed: wanted.length, unsubscribed: stale.length };
  }
}
