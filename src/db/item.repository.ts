// Items and their attempts. Every query is scoped by tenant. Writes to ORCID happen under the
// item's row lock (withLockedItem), so two workers never write the same item at once.
import type { Kysely, Selectable, Transaction } from 'kysely';
import { contentHash, type ItemStatus, statusAfterUpsert } from '../domain/item.js';
import type { Database, ItemsTable } from './schema.js';

export type Item = Selectable<ItemsTable>;

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
      if ((e as { code?: string }).code !== '23505') throw e;
      return this.upsertOnce(tenantId, personId, input, personConnected);
    }
  }

  private upsertOnce(
    tenantId: string,
    personId: string,
    input: ItemInput,
    personConnected: boolean,
  ): Promise<{ item: Item; queued: boolean }> {
    return this.db.transaction().execute(async (trx) => {
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
   * Runs `fn` with the item locked (FOR UPDATE) and records what it did: the new status, put
   * code and written hash on the item, and one item_events row.
   */
  async withLockedItem(
    tenantId: string,
    id: string,
    fn: (item: Item) => Promise<ItemOutcome | null>,
  ): Promise<ItemOutcome | null> {
    return this.db.transaction().execute(async (trx: Transaction<Database>) => {
      const item = await trx
        .selectFrom('items')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!item) return null;
      const outcome = await fn(item);
      if (!outcome) return null;
      await trx
        .updateTable('items')
        .set({
          status: outcome.status,
          status_detail: outcome.detail ?? null,
          attempts: item.attempts + (outcome.action === 'none' ? 0 : 1),
          updated_at: new Date(),
          ...(outcome.putCode !== undefined ? { put_code: outcome.putCode } : {}),
          ...(outcome.writtenHash !== undefined
            ? { written_hash: outcome.writtenHash, written_at: new Date() }
            : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
      if (outcome.action !== 'none')
        await trx
          .insertInto('item_events')
          .values({
            tenant_id: tenantId,
            item_id: id,
            action: outcome.action,
            status: outcome.status,
            put_code: outcome.putCode ?? (item.put_code === null ? null : Number(item.put_code)),
            http_status: outcome.httpStatus ?? null,
            error_code: outcome.errorCode ?? null,
            message: outcome.detail ?? null,
          })
          .execute();
      return outcome;
    });
  }
}
