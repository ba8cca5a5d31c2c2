// Items and their attempts. Every query is scoped by tenant. A worker writes an item to ORCID
// only while it holds the item's lease (claim / finish), so two never write the same item at once.
import { randomUUID } from 'node:crypto';
import { type Kysely, type QueryCreator, type Selectable, sql } from 'kysely';
import { contentHash, type ItemStatus, statusAfterUpsert } from '../domain/item.js';
import type { Database, ItemsTable } from './schema.js';

export type Item = Selectable<ItemsTable>;

/** A person's active link as the write path needs it: the token is opened by OrcidLinkRepository. */
export interface ActiveLinkSealed {
  id: string;
  orcid: string;
  tokenSealed: string;
}

export interface ItemInput {
  section: string;
  sourceKey: string;
  payload: Record<string, unknown>;
  desired: 'present' | 'absent';
  groupId?: string | null;
}

export interface ItemOutcome {
  status: ItemStatus;
  action: string;
  putCode?: number | null;
  writtenHash?: string | null;
  detail?: string | null;
  httpStatus?: number | null;
  errorCode?: number | null;
}

export class ItemRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** States an item; returns it and whether it now waits for a write. Idempotent by source key. */
  async upsert(
    tenantId: string,
    personId: string,
    input: ItemInput,
    personConnected: boolean,
  ): Promise<{ item: Item; queued: boolean }> {
    try {
      return await this.upsertOnce(tenantId, personId, input, personConnected);
    } catch (e) {
      // Two statements of a new item raced: the other inserted it; this one now updates it.
      // (Inside a caller's transaction the error has aborted it: the caller retries the whole.)
      if ((e as { code?: string }).code !== '23505' || this.db.isTransaction) throw e;
      return this.upsertOnce(tenantId, personId, input, personConnected);
    }
  }

  private upsertOnce(
    tenantId: string,
    personId: string,
    input: ItemInput,
    personConnected: boolean,
  ): Promise<{ item: Item; queued: boolean }> {
    // Inside a caller's transaction (a bulk upload) the statement joins it.
    const run = <T>(fn: (trx: Kysely<Database>) => Promise<T>) =>
      this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
    return run(async (trx) => {
      const existing = await trx
        .selectFrom('items')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('source_key', '=', input.sourceKey)
        .forUpdate()
        .executeTakeFirst();
      const next = { content_hash: contentHash(input.payload), desired_state: input.desired };
      const status = statusAfterUpsert(existing ?? null, next, personConnected);
      const values = {
        section: input.section,
        payload: JSON.stringify(input.payload),
        content_hash: next.content_hash,
        desired_state: input.desired,
        group_id: input.groupId ?? null,
        status,
        updated_at: new Date(),
      };
      const item = existing
        ? await trx
            .updateTable('items')
            .set(status === existing.status ? { ...values } : { ...values, attempts: 0, status_detail: null })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', existing.id)
            .returningAll()
            .executeTakeFirstOrThrow()
        : await trx
            .insertInto('items')
            .values({ tenant_id: tenantId, person_id: personId, source_key: input.sourceKey, ...values })
            .returningAll()
            .executeTakeFirstOrThrow();
      return { item, queued: status === 'queued' };
    });
  }

  byId(tenantId: string, id: string): Promise<Item | undefined> {
    return this.db
      .selectFrom('items')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  bySourceKey(tenantId: string, sourceKey: string): Promise<Item | undefined> {
    return this.db
      .selectFrom('items')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('source_key', '=', sourceKey)
      .executeTakeFirst();
  }

  forPerson(tenantId: string, personId: string): Promise<Item[]> {
    return this.db
      .selectFrom('items')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute();
  }

  /** A person's items in the given statuses (e.g. pending ones once they connect). */
  async setStatusForPerson(
    tenantId: string,
    personId: string,
    from: ItemStatus[],
    to: ItemStatus,
  ): Promise<string[]> {
    const rows = await this.db
      .updateTable('items')
      .set({ status: to, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('status', 'in', from)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Takes the item for writing: a lease of `leaseMs`, unless another worker holds a live one
   * (null then). No transaction stays open while ORCID is called. The person's active ORCID link
   * (its token still sealed) comes back with it: one round trip for the write path's first step.
   */
  async claim(
    tenantId: string,
    id: string,
    leaseMs: number,
  ): Promise<{ item: Item; lease: string; link: ActiveLinkSealed | null } | null> {
    const lease = randomUUID();
    const row = await this.db
      .with('c', (db) =>
        db
          .updateTable('items')
          .set({ lease_token: lease, lease_until: new Date(Date.now() + leaseMs) })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', new Date())]))
          .returningAll(),
      )
      .selectFrom('c')
      .leftJoin('orcid_links as l', (j) =>
        j
          .onRef('l.tenant_id', '=', 'c.tenant_id')
          .onRef('l.person_id', '=', 'c.person_id')
          .on('l.status', '=', 'active'),
      )
      .selectAll('c')
      .select(['l.id as link_id', 'l.orcid as link_orcid', 'l.token_sealed as link_token_sealed'])
      .executeTakeFirst();
    if (!row) return null;
    const { link_id, link_orcid, link_token_sealed, ...item } = row;
    const link =
      link_id && link_orcid && link_token_sealed
        ? { id: link_id, orcid: link_orcid, tokenSealed: link_token_sealed }
        : null;
    return { item: item as Item, lease, link };
  }

  /**
   * Items whose write may have been lost with a worker (every tenant; for the worker's sweep,
   * which queues them again): taken and never finished (the lease ran out), or still `queued`
   * longer than `staleMs` without a lease (their job may have been fetched by a worker that died
   * before taking them). Queuing an item whose job still waits changes nothing (one job per item).
   */
  abandoned(staleMs: number, limit: number): Promise<Array<{ tenant_id: string; id: string }>> {
    const now = new Date();
    return this.db
      .selectFrom('items')
      .select(['tenant_id', 'id'])
      .where((eb) =>
        eb.or([
          eb.and([eb('lease_until', '<', now), eb('status', 'in', ['queued', 'retrying'])]),
          eb.and([
            eb('lease_until', 'is', null),
            eb('status', '=', 'queued'),
            eb('updated_at', '<', new Date(now.getTime() - staleMs)),
          ]),
        ]),
      )
      .orderBy('updated_at')
      .limit(limit)
      .execute();
  }

  /** Gives the lease back without recording anything. */
  async release(tenantId: string, id: string, lease: string): Promise<void> {
    await this.db
      .updateTable('items')
      .set({ lease_token: null, lease_until: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('lease_token', '=', lease)
      .execute();
  }

  /**
   * Records what the attempt did (status, put code, written hash, one event) and ends the lease,
   * in one statement (the write path's hottest; a transaction would take four round trips).
   */
  async finish(tenantId: string, item: Item, lease: string, outcome: ItemOutcome): Promise<void> {
    const update = (db: QueryCreator<Database>) =>
      db
        .updateTable('items')
        .set((eb) => ({
          status: outcome.status,
          status_detail: outcome.detail ?? null,
          attempts: outcome.action === 'none' ? eb.ref('attempts') : eb('attempts', '+', 1),
          updated_at: new Date(),
          lease_token: null,
          lease_until: null,
          ...(outcome.putCode !== undefined ? { put_code: outcome.putCode } : {}),
          ...(outcome.writtenHash !== undefined
            ? { written_hash: outcome.writtenHash, written_at: new Date() }
            : {}),
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', item.id)
        .where('lease_token', '=', lease)
        .returning('id');
    if (outcome.action === 'none') {
      await update(this.db).execute();
      return;
    }
    const putCode = outcome.putCode ?? (item.put_code === null ? null : Number(item.put_code));
    await this.db
      .with('done', update)
      .insertInto('item_events')
      .columns([
        'tenant_id',
        'item_id',
        'action',
        'status',
        'put_code',
        'http_status',
        'error_code',
        'message',
      ])
      .expression((eb) =>
        eb
          .selectFrom('done')
          .select([
            sql<string>`${tenantId}::uuid`.as('tenant_id'),
            'done.id',
            sql<string>`${outcome.action}::text`.as('action'),
            sql<string>`${outcome.status}::text`.as('status'),
            sql<number | null>`${putCode}::bigint`.as('put_code'),
            sql<number | null>`${outcome.httpStatus ?? null}::int`.as('http_status'),
            sql<number | null>`${outcome.errorCode ?? null}::int`.as('error_code'),
            sql<string | null>`${outcome.detail ?? null}::text`.as('message'),
          ]),
      )
      .execute();
  }
}
