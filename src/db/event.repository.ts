// Event endpoints of each tenant (their signing secrets sealed), the deliveries of each event to
// each endpoint, and every attempt. Every query is scoped by tenant.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open, seal } from '../crypto/seal.js';
import type { Database } from './schema.js';

const secretContext = (id: string) => ({ table: 'event_endpoints', column: 'secret_sealed', row: id });

export interface EventEndpoint {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  createdAt: Date;
}

export interface DeliveryToSend {
  id: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  payload: unknown;
  createdAt: Date;
  url: string;
  secret: string;
}

export class EventRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {}

  /** A new endpoint; its secret (Standard Webhooks' whsec_ form) is returned once, here. */
  async addEndpoint(
    tenantId: string,
    e: { url: string; eventTypes: string[]; description?: string | null },
  ): Promise<EventEndpoint & { secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const row = await this.db
      .insertInto('event_endpoints')
      .values({
        id,
        tenant_id: tenantId,
        url: e.url,
        event_types: e.eventTypes,
        description: e.description ?? null,
        secret_sealed: seal(this.ring, secret, secretContext(id)),
      })
      .returning(['id', 'url', 'event_types', 'description', 'enabled', 'created_at'])
      .executeTakeFirstOrThrow();
    return { ...endpointOf(row), secret };
  }

  async endpoints(tenantId: string): Promise<EventEndpoint[]> {
    const rows = await this.db
      .selectFrom('event_endpoints')
      .select(['id', 'url', 'event_types', 'description', 'enabled', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map(endpointOf);
  }

  async removeEndpoint(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('event_endpoints')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** One delivery per endpoint the event goes to; returns their ids. */
  async addDeliveries(
    tenantId: string,
    endpointIds: string[],
    event: { id: string; type: string; payload: unknown },
  ): Promise<string[]> {
    if (!endpointIds.length) return [];
    const rows = await this.db
      .insertInto('event_deliveries')
      .values(
        endpointIds.map((endpointId) => ({
          tenant_id: tenantId,
          endpoint_id: endpointId,
          event_id: event.id,
          event_type: event.type,
          payload: JSON.stringify(event.payload),
          status: 'pending' as const,
        })),
      )
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** A pending delivery with what sending it needs (its endpoint's secret opened). */
  async toSend(tenantId: string, deliveryId: string): Promise<DeliveryToSend | undefined> {
    const row = await this.db
      .selectFrom('event_deliveries as d')
      .innerJoin('event_endpoints as e', (j) =>
        j.onRef('e.id', '=', 'd.endpoint_id').onRef('e.tenant_id', '=', 'd.tenant_id'),
      )
      .select([
        'd.id',
        'd.tenant_id',
        'd.event_id',
        'd.event_type',
        'd.payload',
        'd.created_at',
        'e.id as endpoint_id',
        'e.url',
        'e.secret_sealed',
      ])
      .where('d.tenant_id', '=', tenantId)
      .where('d.id', '=', deliveryId)
      .where('d.status', '=', 'pending')
      .where('e.enabled', '=', true)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      eventId: row.event_id,
      eventType: row.event_type,
      payload: row.payload,
      createdAt: row.created_at,
      url: row.url,
      secret: open(this.ring, row.secret_sealed, secretContext(row.endpoint_id)),
    };
  }

  /** Logs an attempt and its outcome on the delivery (`final`: no attempt follows a failure). */
  async attempted(
    tenantId: string,
    deliveryId: string,
    a: { ok: boolean; httpStatus: number | null; error: string | null; durationMs: number; final: boolean },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('event_attempts')
        .values({
          tenant_id: tenantId,
          delivery_id: deliveryId,
          http_status: a.httpStatus,
          error: a.error,
          duration_ms: a.durationMs,
        })
        .execute();
      await trx
        .updateTable('event_deliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_status: a.httpStatus,
          last_error: a.error,
          status: a.ok ? 'delivered' : a.final ? 'failed' : 'pending',
          delivered_at: a.ok ? new Date() : null,
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', deliveryId)
        .execute();
    });
  }

  /** The tenant's deliveries, newest first, with their attempts (for the CLI and the console). */
  async deliveries(tenantId: string, limit: number) {
    return this.db
      .selectFrom('event_deliveries')
      .select([
        'id',
        'endpoint_id',
        'event_id',
        'event_type',
        'status',
        'attempts',
        'last_status',
        'last_error',
        'created_at',
        'delivered_at',
      ])
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }
}

function endpointOf(r: {
  id: string;
  url: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  created_at: Date;
}): EventEndpoint {
  return {
    id: r.id,
    url: r.url,
    eventTypes: r.event_types,
    description: r.description,
    enabled: r.enabled,
    createdAt: r.created_at,
  };
}
