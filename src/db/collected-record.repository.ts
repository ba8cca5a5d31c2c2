// The collected record of each link (record_items), when it was last synchronised (on the link),
// and the change feed (record_changes) the organisation's systems poll. Every query is scoped by
// tenant.
import { type Kysely, sql } from 'kysely';
import type { CollectedItem, CollectedRecord, ItemChange, KnownItem } from '../domain/collected-record.js';
import type { Database } from './schema.js';

/** A change as the feed lists it. */
export interface RecordChangeRow {
  id: string;
  person_id: string;
  local_id: string;
  orcid: string;
  kind: string;
  section: string | null;
  put_code: string | null;
  own: boolean;
  item_id: string | null;
  source_key: string | null;
  detail: unknown;
  at: Date;
}

/** One change to note in the feed. */
export interface NewChange {
  kind: string;
  section?: string | null;
  putCode?: number | null;
  own?: boolean;
  itemId?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface LinkOfRecord {
  tenantId: string;
  linkId: string;
  personId: string;
  orcid: string;
}

/** The change-feed kind of an item change. */
const CHANGE_KIND: Record<ItemChange['kind'], string> = {
  added: 'item.added',
  changed: 'item.changed',
  visibility: 'item.visibility',
  removed: 'item.removed',
};

const putCodeOf = (key: string) => (/^\d+$/.test(key) ? Number(key) : null);

export class CollectedRecordRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** What the stored copy knows of each item (to tell what a new read changed). */
  async known(tenantId: string, linkId: string): Promise<KnownItem[]> {
    const rows = await this.db
      .selectFrom('record_items')
      .select(['section', 'key', 'content_hash', 'visibility'])
      .where('tenant_id', '=', tenantId)
      .where('link_id', '=', linkId)
      .execute();
    return rows.map((r) => ({
      section: r.section,
      key: r.key,
      contentHash: r.content_hash,
      visibility: r.visibility,
    }));
  }

  /**
   * Stores a read: every item of it (own ones joined to the organisation's items by put code and
   * iD), removes what is gone, notes each change in the feed, and the link's dates. Run it in a
   * unit of work, so the copy and the feed change together.
   */
  async store(
    link: LinkOfRecord,
    read: CollectedRecord,
    changes: readonly ItemChange[],
    ownClientId: string,
  ): Promise<void> {
    const { tenantId, linkId } = link;
    const id = (i: { section: string; key: string }) => `${i.section} ${i.key}`;
    // The organisation's items behind the copy's rows, before and after this read.
    const itemIds = await this.ownItemIds(tenantId, linkId);
    for (const c of changes)
      if (c.kind === 'removed')
        await this.db
          .deleteFrom('record_items')
          .where('tenant_id', '=', tenantId)
          .where('link_id', '=', linkId)
          .where('section', '=', c.item.section)
          .where('key', '=', c.item.key)
          .execute();
    for (let i = 0; i < read.items.length; i += 500)
      await this.upsertItems(link, read.items.slice(i, i + 500), ownClientId);
    for (const [k, v] of await this.ownItemIds(tenantId, linkId)) itemIds.set(k, v);

    const own = new Set(read.items.filter((i) => i.sourceClientId === ownClientId).map(id));
    await this.note(
      link,
      changes.map((c) => ({
        kind: CHANGE_KIND[c.kind],
        section: c.item.section,
        putCode: putCodeOf(c.item.key),
        own: own.has(id(c.item)) || itemIds.has(id(c.item)),
        itemId: itemIds.get(id(c.item)) ?? null,
        detail: c.kind === 'visibility' ? { from: c.from, to: c.item.visibility } : null,
      })),
    );
    await this.db
      .updateTable('orcid_links')
      .set({
        synced_at: new Date(),
        record_modified: read.lastModified,
        section_modified: JSON.stringify(read.sectionModified),
        sync_error: null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .execute();
  }

  private async ownItemIds(tenantId: string, linkId: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('record_items')
      .select(['section', 'key', 'item_id'])
      .where('tenant_id', '=', tenantId)
      .where('link_id', '=', linkId)
      .where('item_id', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [`${r.section} ${r.key}`, r.item_id!]));
  }

  private async upsertItems(link: LinkOfRecord, items: CollectedItem[], ownClientId: string): Promise<void> {
    if (!items.length) return;
    await this.db
      .insertInto('record_items')
      .values(
        items.map((i) => ({
          tenant_id: link.tenantId,
          link_id: link.linkId,
          section: i.section,
          key: i.key,
          put_code: i.putCode,
          source_client_id: i.sourceClientId,
          source_orcid: i.sourceOrcid,
          source_name: i.sourceName,
          own: i.sourceClientId === ownClientId,
          item_id: null,
          visibility: i.visibility,
          title: i.title,
          organisation: i.organisation,
          role: i.role,
          department: i.department,
          start_date: i.startDate,
          end_date: i.endDate,
          type: i.type,
          value: i.value,
          external_ids: JSON.stringify(i.externalIds),
          document: JSON.stringify(i.document),
          content_hash: i.contentHash,
          last_modified: i.lastModified === null ? null : new Date(i.lastModified),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['link_id', 'section', 'key']).doUpdateSet((eb) => ({
          put_code: eb.ref('excluded.put_code'),
          source_client_id: eb.ref('excluded.source_client_id'),
          source_orcid: eb.ref('excluded.source_orcid'),
          source_name: eb.ref('excluded.source_name'),
          own: eb.ref('excluded.own'),
          visibility: eb.ref('excluded.visibility'),
          title: eb.ref('excluded.title'),
          organisation: eb.ref('excluded.organisation'),
          role: eb.ref('excluded.role'),
          department: eb.ref('excluded.department'),
          start_date: eb.ref('excluded.start_date'),
          end_date: eb.ref('excluded.end_date'),
          type: eb.ref('excluded.type'),
          value: eb.ref('excluded.value'),
          external_ids: eb.ref('excluded.external_ids'),
          document: eb.ref('excluded.document'),
          content_hash: eb.ref('excluded.content_hash'),
          last_modified: eb.ref('excluded.last_modified'),
          collected_at: sql`now()`,
        })),
      )
      .execute();
    // The organisation's own items, joined by the put code on this iD's record.
    await sql`
      update record_items r set item_id = i.id
      from items i, orcid_links l
      where r.tenant_id = ${link.tenantId} and r.link_id = ${link.linkId} and r.own
        and l.id = r.link_id and l.tenant_id = r.tenant_id
        and i.tenant_id = r.tenant_id and i.person_id = l.person_id
        and i.put_code = r.put_code and i.put_code_orcid = l.orcid
        and i.section = r.section and r.item_id is distinct from i.id`.execute(this.db);
  }

  /** Notes changes in the feed, in order. */
  async note(link: LinkOfRecord, changes: readonly NewChange[]): Promise<void> {
    if (!changes.length) return;
    await this.db
      .insertInto('record_changes')
      .values(
        changes.map((c) => ({
          tenant_id: link.tenantId,
          person_id: link.personId,
          link_id: link.linkId,
          orcid: link.orcid,
          kind: c.kind,
          section: c.section ?? null,
          put_code: c.putCode ?? null,
          own: c.own ?? false,
          item_id: c.itemId ?? null,
          detail: c.detail ? JSON.stringify(c.detail) : null,
        })),
      )
      .execute();
  }

  /** An unchanged record: only when it was looked at. */
  async unchanged(tenantId: string, linkId: string): Promise<void> {
    await this.db
      .updateTable('orcid_links')
      .set({ synced_at: new Date(), sync_error: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .execute();
  }

  /** A read that did not complete: why (redacted), and when it was tried. */
  async failed(tenantId: string, linkId: string, error: string): Promise<void> {
    await this.db
      .updateTable('orcid_links')
      .set({ synced_at: new Date(), sync_error: error.slice(0, 2000) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', linkId)
      .execute();
  }

  /** The collected copy of one link, by section. */
  items(tenantId: string, linkId: string) {
    return this.db
      .selectFrom('record_items as r')
      .leftJoin('items as i', (j) =>
        j.onRef('i.id', '=', 'r.item_id').onRef('i.tenant_id', '=', 'r.tenant_id'),
      )
      .select([
        'r.section',
        'r.key',
        'r.put_code',
        'r.source_client_id',
        'r.source_orcid',
        'r.source_name',
        'r.own',
        'i.source_key',
        'r.visibility',
        'r.title',
        'r.organisation',
        'r.role',
        'r.department',
        'r.start_date',
        'r.end_date',
        'r.type',
        'r.value',
        'r.external_ids',
        'r.document',
        'r.last_modified',
      ])
      .where('r.tenant_id', '=', tenantId)
      .where('r.link_id', '=', linkId)
      .orderBy('r.section')
      .orderBy('r.key')
      .execute();
  }

  /** The feed after a cursor (a change id), oldest first. */
  changesAfter(tenantId: string, after: string, limit: number): Promise<RecordChangeRow[]> {
    return this.db
      .selectFrom('record_changes as c')
      .innerJoin('people as p', (j) =>
        j.onRef('p.id', '=', 'c.person_id').onRef('p.tenant_id', '=', 'c.tenant_id'),
      )
      .leftJoin('items as i', (j) =>
        j.onRef('i.id', '=', 'c.item_id').onRef('i.tenant_id', '=', 'c.tenant_id'),
      )
      .select([
        'c.id',
        'c.person_id',
        'p.local_id',
        'c.orcid',
        'c.kind',
        'c.section',
        'c.put_code',
        'c.own',
        'c.item_id',
        'i.source_key',
        'c.detail',
        'c.at',
      ])
      .where('c.tenant_id', '=', tenantId)
      .where('c.id', '>', after)
      .orderBy('c.id')
      .limit(limit)
      .execute();
  }

  /**
   * The organisation's people, by local id after `after`, each with their current link (the
   * active one, else the latest): never a token. `status` filters by that link's status (`none`:
   * never connected); `changedSince` keeps people whose record or link changed since then.
   */
  async people(
    tenantId: string,
    q: { after: string | null; limit: number; status?: string; changedSince?: Date; personId?: string },
  ): Promise<LinkedPerson[]> {
    const { rows } = await sql<LinkedPerson>`
      select p.id as person_id, p.local_id, p.given_names, p.family_name, p.email,
        l.id as link_id, l.orcid, l.status, l.scope, l.granted_at, l.expires_at, l.revoked_at,
        l.synced_at, l.sync_error
      from people p
      left join lateral (
        select * from orcid_links l
        where l.tenant_id = p.tenant_id and l.person_id = p.id
        order by (l.status = 'active') desc, l.granted_at desc
        limit 1
      ) l on true
      where p.tenant_id = ${tenantId}
        and (${q.personId ?? null}::uuid is null or p.id = ${q.personId ?? null})
        and (${q.after}::text is null or p.local_id > ${q.after})
        and (${q.status ?? null}::text is null
          or (${q.status ?? null} = 'none' and l.id is null) or l.status = ${q.status ?? null})
        and (${q.changedSince ?? null}::timestamptz is null
          or p.updated_at >= ${q.changedSince ?? null}
          or exists (select from record_changes c where c.tenant_id = p.tenant_id
            and c.person_id = p.id and c.at >= ${q.changedSince ?? null}))
      order by p.local_id
      limit ${q.limit}`.execute(this.db);
    return rows;
  }
}

/** A person with their current link, as the API lists them. */
export interface LinkedPerson {
  person_id: string;
  local_id: string;
  given_names: string | null;
  family_name: string | null;
  email: string | null;
  link_id: string | null;
  orcid: string | null;
  status: string | null;
  scope: string | null;
  granted_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  synced_at: Date | null;
  sync_error: string | null;
}
