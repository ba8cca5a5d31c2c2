// Everything the signed-in portal page shows, in one round trip: the person, their active link
// and the summary of the record last read for it. The page is the portal's hottest path.
import type { ItemStatus } from '../domain/item.js';
import type { RecordSummary } from '../domain/record-summary.js';
import { type Db, preparedQuery } from './database.js';
import { ITEM_LABEL_SQL } from './item-label.js';
import type { Person } from './person.repository.js';

/** An item as the researcher sees it on the portal. */
export interface WrittenItem {
  section: string;
  label: string;
  status: ItemStatus;
}

export interface PortalView {
  person: Person;
  items: WrittenItem[];
  link: { orcid: string; scope: string; grantedAt: Date; expiresAt: Date; syncedAt: Date | null } | null;
  summary: RecordSummary | null;
  /** What the collected copy holds, per section (items). */
  held: Record<string, number>;
}

type Row = Person & {
  link_orcid: string | null;
  link_scope: string | null;
  link_granted_at: Date | null;
  link_expires_at: Date | null;
  link_synced_at: Date | null;
  summary: RecordSummary | null;
  items: WrittenItem[];
  held: Record<string, number> | null;
};

/**
 * The page is a prepared statement: its plan is made once per connection and kept until the
 * statistics of a table it reads change. An upload adds many items inside one transaction, which
 * no statistics show; the upload job refreshes the items' statistics once it has stated enough of
 * them (UploadStatingRepository.refreshItemStatistics), or a plan made while the organisation had
 * few items would keep scanning all of them, the upload's rows included.
 */
export class PortalViewRepository {
  private readonly query: (values: unknown[]) => Promise<Row[]>;

  constructor(database: Pick<Db, 'pool'>) {
    this.query = preparedQuery<Row>(
      database.pool,
      'portal-view',
      `select p.*, l.orcid as link_orcid, l.scope as link_scope, l.granted_at as link_granted_at,
              l.expires_at as link_expires_at, l.synced_at as link_synced_at, s.summary, w.items, h.held
       from people p
       left join orcid_links l
         on l.tenant_id = p.tenant_id and l.person_id = p.id and l.status = 'active'
       left join lateral (
         select rs.summary from record_snapshots rs
         where rs.tenant_id = p.tenant_id and rs.person_id = p.id and rs.orcid = l.orcid and rs.kind = 'record'
         order by rs.read_at desc limit 1
       ) s on true
       left join lateral (
         select coalesce(json_agg(json_build_object('section', i.section, 'status', i.status, 'label',
                  ${ITEM_LABEL_SQL}) order by i.created_at), '[]'::json) as items
         from (select * from items
               where items.tenant_id = p.tenant_id and items.person_id = p.id
                 and not (items.status = 'deleted' and items.desired_state = 'absent')
               order by created_at limit 100) i
       ) w on true
       left join lateral (
         select json_object_agg(section, n) as held
         from (select r.section, count(*) as n from record_items r
               where r.tenant_id = p.tenant_id and r.link_id = l.id group by r.section) c
       ) h on true
       where p.tenant_id = $1 and p.id = $2`,
    );
  }

  async forPerson(tenantId: string, personId: string): Promise<PortalView | null> {
    const row = (await this.query([tenantId, personId]))[0];
    if (!row) return null;
    const {
      link_orcid,
      link_scope,
      link_granted_at,
      link_expires_at,
      link_synced_at,
      summary,
      items,
      held,
      ...person
    } = row;
    return {
      person,
      items,
      link:
        link_orcid && link_scope && link_granted_at && link_expires_at
          ? {
              orcid: link_orcid,
              scope: link_scope,
              grantedAt: link_granted_at,
              expiresAt: link_expires_at,
              syncedAt: link_synced_at,
            }
          : null,
      summary: link_orcid ? summary : null,
      held: link_orcid ? (held ?? {}) : {},
    };
  }
}
