// ORCID webhook subscriptions, one per link of a tenant with webhooks. The callback's token is
// kept only as its hash (the inbound endpoint looks it up by hash); the callback itself is sealed,
// since unregistering at ORCID needs it. Every query is scoped by tenant, except the lookup by
// token, which is how an inbound notification finds its tenant.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open, seal } from '../crypto/seal.js';
import type { Database } from './schema.js';

const callbackContext = (id: string) => ({
  table: 'webhook_subscriptions',
  column: 'callback_sealed',
  row: id,
});

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface Subscription {
  id: string;
  tenantId: string;
  linkId: string;
  orcid: string;
  callback: string;
}

export class WebhookSubscriptionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {}

  /** The link's subscription that is pending or registered, if any. */
  current(tenantId: string, linkId: string) {
    return this.db
      .selectFrom('webhook_subscriptions')
      .select(['id', 'status'])
      .where('tenant_id', '=', tenantId)
      .where('link_id', '=', linkId)
      .where('status', 'in', ['pending', 'registered'])
      .executeTakeFirst();
  }

  /** A new subscription, pending until ORCID registers it; null when the link already has one. */
  async create(tenantId: string, linkId: string, orcid: string, token: string, callback: string) {
    const id = randomUUID();
    const row = await this.db
      .insertInto('webhook_subscriptions')
      .values({
        id,
        tenant_id: tenantId,
        link_id: linkId,
        orcid,
        token_hash: hashToken(token),
        callback_sealed: seal(this.ring, callback, callbackContext(id)),
        status: 'pending',
      })
      .onConflict((oc) => oc.column('link_id').where('status', 'in', ['pending', 'registered']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row ? { id: row.id, tenantId, linkId, orcid, callback } : null;
  }

  async registered(tenantId: string, id: string): Promise<void> {
    await this.db
      .updateTable('webhook_subscriptions')
      .set({ status: 'registered', registered_at: new Date(), error: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async failed(tenantId: string, id: string, error: string): Promise<void> {
    await this.db
      .updateTable('webhook_subscriptions')
      .set({ error: error.slice(0, 2000) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * The link's subscriptions, marked ending (inbound notifications for them are refused from
   * now on), with their callbacks opened for the unregistration.
   */
  async ending(tenantId: string, linkId: string): Promise<Subscription[]> {
    const rows = await this.db
      .updateTable('webhook_subscriptions')
      .set({ status: 'ending' })
      .where('tenant_id', '=', tenantId)
      .where('link_id', '=', linkId)
      .where('status', 'in', ['pending', 'registered', 'ending'])
      .returning(['id', 'tenant_id', 'link_id', 'orcid', 'callback_sealed'])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      linkId: r.link_id,
      orcid: r.orcid,
      callback: open(this.ring, r.callback_sealed, callbackContext(r.id)),
    }));
  }

  async ended(tenantId: string, id: string): Promise<void> {
    await this.db
      .updateTable('webhook_subscriptions')
      .set({ status: 'ended', ended_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** The live subscription a callback token names (any tenant: the token is the credential). */
  byToken(token: string) {
    return this.db
      .selectFrom('webhook_subscriptions')
      .select(['tenant_id', 'link_id'])
      .where('token_hash', '=', hashToken(token))
      .where('status', 'in', ['pending', 'registered'])
      .executeTakeFirst();
  }

  /** For the daily repair: active links without a live subscription, and live ones whose link ended. */
  async drift(tenantId: string, limit: number) {
    const missing = await this.db
      .selectFrom('orcid_links as l')
      .select('l.id')
      .where('l.tenant_id', '=', tenantId)
      .where('l.status', '=', 'active')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_subscriptions as w')
              .select('w.id')
              .whereRef('w.link_id', '=', 'l.id')
              .where('w.status', 'in', ['pending', 'registered']),
          ),
        ),
      )
      .limit(limit)
      .execute();
    const stale = await this.db
      .selectFrom('webhook_subscriptions as w')
      .innerJoin('orcid_links as l', 'l.id', 'w.link_id')
      .select('w.link_id')
      .distinct()
      .where('w.tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb.and([eb('w.status', 'in', ['pending', 'registered']), eb('l.status', '!=', 'active')]),
          eb('w.status', '=', 'ending'),
        ]),
      )
      .limit(limit)
      .execute();
    return { missing: missing.map((r) => r.id), stale: stale.map((r) => r.link_id) };
  }
}
