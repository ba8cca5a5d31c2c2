// Events to the organisation's systems (Standard Webhooks): endpoints per tenant, managed by the
// CLI and the console's settings (audited); each event goes to every enabled endpoint that takes its type,
// signed (webhook-id, webhook-timestamp, webhook-signature) with the endpoint's secret, and is
// delivered by a job with exponential retries for about a day, each attempt logged. Endpoints
// must be https in the production ORCID environment and reachable at public addresses (the
// SSRF guard, unless the operator allows ranges).
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Webhook } from 'standardwebhooks';
import type { EventEndpoint, EventRepository } from '../db/event.repository.js';
import type { PersonRepository } from '../db/person.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import { type EventBody, type EventType, isEventType } from '../domain/events.js';
import type { Logger } from '../logger.js';
import type { EventDeliveryQueue, EventPublisher, EventSender } from './ports.js';

export class EndpointRefused extends Error {
  override readonly name = 'EndpointRefused';
}

export interface EventDeps {
  events: EventRepository;
  log: PortalLogRepository;
  people: PersonRepository;
  queue: EventDeliveryQueue;
  sender: EventSender;
  logger: Logger;
}

/** How long a process keeps a tenant's endpoints (a change by the CLI is seen after this). */
const ENDPOINTS_TTL_MS = 5_000;

export class EventService implements EventPublisher {
  private readonly endpointsOf = new LRUCache<string, EventEndpoint[]>({
    max: 10_000,
    ttl: ENDPOINTS_TTL_MS,
  });

  constructor(private readonly d: EventDeps) {}

  /** A new endpoint, checked; returns it with its secret (shown once). */
  async addEndpoint(
    tenant: Tenant,
    e: { url: string; eventTypes: string[]; description?: string | null },
    actor = 'cli',
  ): Promise<EventEndpoint & { secret: string }> {
    let url: URL;
    try {
      url = new URL(e.url);
    } catch {
      throw new EndpointRefused(`${e.url} is not a URL`);
    }
    if (tenant.orcid_environment === 'production' && url.protocol !== 'https:')
      throw new EndpointRefused('an endpoint must be https for an organisation on ORCID production');
    const unknown = e.eventTypes.filter((t) => !isEventType(t));
    if (unknown.length) throw new EndpointRefused(`unknown event types: ${unknown.join(', ')}`);
    try {
      await this.d.sender.check(url.toString());
    } catch (err) {
      throw new EndpointRefused((err as Error).message);
    }
    const endpoint = await this.d.events.addEndpoint(tenant.id, { ...e, url: url.toString() });
    this.endpointsOf.delete(tenant.id);
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'event_endpoint.added',
      subject: endpoint.url,
      details: { id: endpoint.id, eventTypes: endpoint.eventTypes },
    });
    return endpoint;
  }

  endpoints(tenantId: string): Promise<EventEndpoint[]> {
    return this.d.events.endpoints(tenantId);
  }

  /** True when the tenant had that endpoint (its deliveries go with it). */
  async removeEndpoint(tenantId: string, id: string, actor = 'cli'): Promise<boolean> {
    const removed = await this.d.events.removeEndpoint(tenantId, id);
    this.endpointsOf.delete(tenantId);
    if (removed)
      await this.d.log.audit({ tenantId, actor, action: 'event_endpoint.removed', details: { id } });
    return removed;
  }

  /** The newest deliveries of the tenant's events, with their outcome. */
  deliveries(tenantId: string, limit: number) {
    return this.d.events.deliveries(tenantId, limit);
  }

  async publish(
    tenantId: string,
    type: EventType,
    data: Record<string, unknown>,
    personId?: string,
  ): Promise<void> {
    try {
      let endpoints = this.endpointsOf.get(tenantId);
      if (!endpoints) {
        endpoints = await this.d.events.endpoints(tenantId);
        this.endpointsOf.set(tenantId, endpoints);
      }
      const to = endpoints.filter((e) => e.enabled && (!e.eventTypes.length || e.eventTypes.includes(type)));
      if (!to.length) return;
      const person = personId ? await this.d.people.byId(tenantId, personId) : undefined;
      const body: EventBody = {
        type,
        timestamp: new Date().toISOString(),
        data: person ? { localId: person.local_id, ...data } : data,
      };
      const ids = await this.d.events.addDeliveries(
        tenantId,
        to.map((e) => e.id),
        { id: `msg_${randomUUID()}`, type, payload: body },
      );
      await this.d.queue.enqueueDeliveries(tenantId, ids);
    } catch (e) {
      this.d.logger.error({ tenantId, type, err: (e as Error).message }, 'an event could not be queued');
    }
  }

  /**
   * One attempt of a delivery. Throws when it failed and another attempt follows (the job
   * retries it); `final`: the delivery fails for good instead.
   */
  async deliver(
    tenantId: string,
    deliveryId: string,
    final: boolean,
  ): Promise<'delivered' | 'failed' | 'gone'> {
    const delivery = await this.d.events.toSend(tenantId, deliveryId);
    if (!delivery) return 'gone';
    const body = JSON.stringify(delivery.payload);
    const started = Date.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      // The signature covers the id, this timestamp and the body (Standard Webhooks).
      const now = new Date();
      const res = await this.d.sender.send(
        delivery.url,
        {
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(delivery.secret).sign(delivery.eventId, now, body),
        },
        body,
      );
      httpStatus = res.status;
      if (res.status < 200 || res.status >= 300) error = `answered ${res.status}`;
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
    }
    const ok = error === null;
    await this.d.events.attempted(tenantId, deliveryId, {
      ok,
      httpStatus,
      error,
      durationMs: Date.now() - started,
      final,
    });
    if (ok) return 'delivered';
    if (final) {
      this.d.logger.warn({ tenantId, deliveryId, error }, 'event delivery failed for good');
      return 'failed';
    }
    throw new Error(`event delivery failed: ${error}`);
  }
}
