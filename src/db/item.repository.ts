// Items and their attempts. Every query is scoped by tenant. A worker writes an item to ORCID
// only while it holds the item's lease (claim / finish), so two never write the same item at once.
import { randomUUID } from 'node:crypto';
import { type Kysely, type QueryCreator, type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import {
  AFFILIATION_SECTIONS,
  contentHash,
  type ItemStatus,
  PERSON_WAITS_AHEAD,
  statusAfterUpsert,
  WRITE_RETRY,
} from '../domain/item.js';
import { WORK_CHANNEL } from './notices.js';
import type { Database, ItemsTable } from './schema.js';

export type Item = Selectable<ItemsTable>;

/** An item a worker holds the lease of, with its person's active link. */
export interface ClaimedItem {
  item: Item;
  lease: string;
  link: ActiveLinkSealed | null;
}

/** An attempt that ended in an error of ours (not ORCID's answer) is tried again this much later. */
const RELEASED_RETRY_MS = 5_000;
const RETRY_BASE_DELAY_S = sql.lit(WRITE_RETRY.baseDelaySeconds);
const RETRY_MAX_DELAY_S = sql.lit(WRITE_RETRY.maxDelaySeconds);

/** A person's active link as the write path needs it: the token is opened by OrcidLinkRepository. */
export interface ActiveLinkSealed {
  id: string;
  orcid: string;
  tokenSealed: string;
  /** The record is locked or deactivated at ORCID: writes wait. */
  recordState: 'locked' | 'deactivated' | null;
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
  /** The iD of the record `putCode` belongs to. */
  orcid?: string | null;
  writtenHash?: string | null;
  detail?: string | null;
  httpStatus?: number | null;
  errorCode?: number | null;
}

/** The source key already names an item of another person of the organisation. */
export class ItemOfAnotherPerson extends Error {
  constructor(readonly sourceKey: string) {
    super(`item ${sourceKey} belongs to another person`);
    this.name = 'ItemOfAnotherPerson';
  }
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
      // Checked under the row lock, on the first try and on the retry after a lost insert race
      // alike: a source key names one person's item for good.
      if (existing && existing.person_id !== personId) throw new ItemOfAnotherPerson(input.sourceKey);
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
            .set(
              status === existing.status
                ? { ...values }
                : { ...values, attempts: 0, retries: 0, status_detail: null },
            )
            .where('tenant_id', '=', tenantId)
            .where('id', '=', existing.id)
            .where('person_id', '=', personId)
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

  /** Affiliations that should be on ORCID and name no organisation of their own (the tenant's is used). */
  defaultOrganisationAffiliations(tenantId: string): Promise<Item[]> {
    return this.db
      .selectFrom('items')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('section', 'in', [...AFFILIATION_SECTIONS])
      .where('desired_state', '=', 'present')
      .where('status', '!=', 'deleted_by_researcher')
      .where(sql<boolean>`payload->'organization' is null`)
      .execute();
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
   * Takes the items for writing: a lease of `leaseMs` on each, except those another worker holds
   * a live lease on (left out). No transaction stays open while ORCID is called. Each person's
   * active ORCID link (its token still sealed) comes back with their items: one round trip for
   * the write path's first step, for a whole batch. The lease also moves `ready_at` past it, so
   * that an item a dead worker took is ready again once its lease has run out.
   */
  claimMany(tenantId: string, ids: string[], leaseMs: number): Promise<ClaimedItem[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.claim(tenantId, leaseMs, (db) =>
      db
        .selectFrom('items')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', new Date())]))
        .forUpdate()
        .skipLocked(),
    );
  }

  /**
   * The scheduler's claim: up to `limit` of the tenant's items ready for writing, earliest
   * `ready_at` first (what a person waits for is dated earlier). Rows another worker is claiming
   * at this moment are skipped, not waited for.
   */
  claimReady(tenantId: string, limit: number, leaseMs: number): Promise<ClaimedItem[]> {
    return this.claim(tenantId, leaseMs, (db) =>
      db
        .selectFrom('items')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('status', 'in', ['queued', 'retrying'])
        .where('ready_at', '<=', sql<Date>`now()`)
        // A claim's lease also moved ready_at past it; this holds should anything move it back.
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
        .orderBy('ready_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    );
  }

  private async claim(
    tenantId: string,
    leaseMs: number,
    which: (db: QueryCreator<Database>) => SelectQueryBuilder<Database, 'items', { id: string }>,
  ): Promise<ClaimedItem[]> {
    const lease = randomUUID();
    const until = new Date(Date.now() + leaseMs);
    // The rows are picked once (materialized): a subquery with LIMIT and SKIP LOCKED inside the
    // UPDATE may be run again by the plan, each run skipping other rows, and claim more than asked.
    const rows = await this.db
      .with(
        (cte) => cte('picked').materialized(),
        (db) => which(db),
      )
      .with('c', (db) =>
        db
          .updateTable('items')
          .set({ lease_token: lease, lease_until: until, ready_at: until, claims: sql<number>`claims + 1` })
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
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
      .select([
        'l.id as link_id',
        'l.orcid as link_orcid',
        'l.token_sealed as link_token_sealed',
        'l.record_state as link_record_state',
      ])
      .execute();
    return rows.map(({ link_id, link_orcid, link_token_sealed, link_record_state, ...item }) => ({
      item: item as Item,
      lease,
      link:
        link_id && link_orcid && link_token_sealed
          ? { id: link_id, orcid: link_orcid, tokenSealed: link_token_sealed, recordState: link_record_state }
          : null,
    }));
  }

  /**
   * An administrator's retry of an item that failed or was refused (after its data was fixed):
   * queued again ahead of the tenant's other writes, its retries counted afresh. Returns false when
   * the item is not in one of those statuses.
   */
  async retryNow(tenantId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable('items')
      .set({
        status: 'queued',
        status_detail: null,
        retries: 0,
        ready_at: sql<Date>`now() - ${sql.lit(PERSON_WAITS_AHEAD)}::interval`,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'invalid', 'retrying', 'record_unavailable'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Of these put codes on the record of `orcid`, those that another of the organisation's items
   * already holds (such a copy is never adopted by a second item).
   */
  async heldByOtherItems(
    tenantId: string,
    orcid: string,
    section: string,
    putCodes: number[],
    exceptItemId: string,
  ): Promise<Set<number>> {
    if (!putCodes.length) return new Set();
    const rows = await this.db
      .selectFrom('items')
      .select('put_code')
      .where('tenant_id', '=', tenantId)
      .where('put_code_orcid', '=', orcid)
      .where('section', '=', section)
      .where('put_code', 'in', putCodes.map(String))
      .where('id', '<>', exceptItemId)
      .execute();
    return new Set(rows.map((r) => Number(r.put_code)));
  }

  /**
   * The person's link now names `orcid`: their present items whose put code belongs to another
   * record (or that stopped there) are queued for the new one. Returns the ids queued.
   */
  async queueForNewRecord(tenantId: string, personId: string, orcid: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('items')
      .set({ status: 'queued', attempts: 0, status_detail: null, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('desired_state', '=', 'present')
      .where('put_code', 'is not', null)
      .where('put_code_orcid', 'is distinct from', orcid)
      .where('status', 'in', ['in_orcid', 'deleted_by_researcher', 'record_unavailable', 'failed'])
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * The organisation's items that a read of the record (begun at `readAt`) no longer found: the
   * researcher deleted them. Only items written before the read began and not being written now
   * count (a write racing the read is not a deletion). They become deleted_by_researcher, with an
   * event each, and are never written again without the researcher.
   */
  async goneFromRecord(
    tenantId: string,
    personId: string,
    orcid: string,
    foundPutCodes: readonly number[],
    readAt: Date,
  ): Promise<Array<{ id: string; section: string; put_code: string | null; source_key: string }>> {
    const { rows } = await sql<{ id: string; section: string; put_code: string | null; source_key: string }>`
      with gone as (
        update items set status = 'deleted_by_researcher', updated_at = now(),
          status_detail = 'Deleted from the ORCID record by the researcher.'
        where tenant_id = ${tenantId} and person_id = ${personId} and put_code_orcid = ${orcid}
          and status = 'in_orcid' and desired_state = 'present' and put_code is not null
          and not (put_code = any(${foundPutCodes.map(String)}::bigint[]))
          and written_at < ${readAt}
          and (lease_until is null or lease_until < now())
        returning id, section, put_code, source_key
      ), events as (
        insert into item_events (tenant_id, item_id, action, status, put_code, message)
        select ${tenantId}, id, 'read', 'deleted_by_researcher', put_code,
          'Not on the record any more: deleted by the researcher.'
        from gone
      )
      select id, section, put_code, source_key from gone`.execute(this.db);
    return rows;
  }

  /**
   * The person's record is available again: their items that waited for it (record_unavailable)
   * are queued. Returns the ids queued.
   */
  async resumeForRecord(tenantId: string, personId: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('items')
      .set({ status: 'queued', attempts: 0, status_detail: null, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('status', '=', 'record_unavailable')
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Tells the workers' schedulers (every process listening) that the tenant has writes queued. */
  async announceQueued(tenantId: string): Promise<void> {
    await sql`select pg_notify(${WORK_CHANNEL}, ${tenantId})`.execute(this.db);
  }

  /** Gives the lease back without recording anything; tried again a few seconds later. */
  async release(tenantId: string, id: string, lease: string): Promise<void> {
    await this.db
      .updateTable('items')
      .set({ lease_token: null, lease_until: null, ready_at: new Date(Date.now() + RELEASED_RETRY_MS) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('lease_token', '=', lease)
      .execute();
  }

  /**
   * Records what each attempt did (status, put code, written hash, one event) and ends its lease,
   * for a whole batch in one statement (the write path's hottest; per item and in a transaction
   * this took four round trips each).
   */
  async finishMany(
    tenantId: string,
    done: Array<{ item: Item; lease: string; outcome: ItemOutcome }>,
  ): Promise<void> {
    if (!done.length) return;
    const rows = done.map(({ item, lease, outcome }) => ({
      id: item.id,
      lease,
      status: outcome.status,
      detail: outcome.detail ?? null,
      counts: outcome.action !== 'none',
      set_put: outcome.putCode !== undefined,
      put_code: outcome.putCode ?? null,
      put_orcid: outcome.putCode === undefined || outcome.putCode === null ? null : (outcome.orcid ?? null),
      set_hash: outcome.writtenHash !== undefined,
      hash: outcome.writtenHash ?? null,
      action: outcome.action,
      event_put: outcome.putCode ?? (item.put_code === null ? null : Number(item.put_code)),
      http: outcome.httpStatus ?? null,
      err: outcome.errorCode ?? null,
    }));
    await sql`
      with v as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
          id uuid, lease text, status text, detail text, counts boolean, set_put boolean, put_code bigint,
          put_orcid text, set_hash boolean, hash text, action text, event_put bigint, http int, err int)
      ), u as (
        update items i set
          status = v.status,
          status_detail = v.detail,
          attempts = i.attempts + case when v.counts then 1 else 0 end,
          updated_at = now(),
          lease_token = null,
          lease_until = null,
          retries = case when v.status = 'retrying' then i.retries + 1 else 0 end,
          ready_at = case when v.status = 'retrying'
            then now() + make_interval(secs => least(${RETRY_MAX_DELAY_S}, ${RETRY_BASE_DELAY_S} * 2 ^ i.retries))
            else now() end,
          put_code = case when v.set_put then v.put_code else i.put_code end,
          put_code_orcid = case when v.set_put then v.put_orcid else i.put_code_orcid end,
          written_hash = case when v.set_hash then v.hash else i.written_hash end,
          written_at = case when v.set_hash then now() else i.written_at end
        from v
        where i.tenant_id = ${tenantId}::uuid and i.id = v.id and i.lease_token = v.lease
        returning i.id, v.action, v.status, v.event_put, v.http, v.err, v.detail
      )
      insert into item_events (tenant_id, item_id, action, status, put_code, http_status, error_code, message)
      select ${tenantId}::uuid, id, action, status, event_put, http, err, detail from u where action <> 'none'
    `.execute(this.db);
  }
}
