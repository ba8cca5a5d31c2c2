// A put code names an item on one record only: items keep the iD their put code belongs to, so
// that a person who connects another iD has their items written to the new record (and nothing
// is updated or deleted by a put code of the old one). `claims` counts the write attempts that
// took the item: after the first, an earlier POST may have reached ORCID without its answer, so
// the next create looks at the record afresh before posting.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('items').addColumn('put_code_orcid', 'text').execute();
  await db.schema
    .alterTable('items')
    .addColumn('claims', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Items written before this migration: their put code belongs to the iD of the person's link
  // at the time, the newest link that is not the result of a later reconnection.
  await sql`
    update items i set put_code_orcid = l.orcid
    from (
      select distinct on (tenant_id, person_id) tenant_id, person_id, orcid
      from orcid_links order by tenant_id, person_id, granted_at desc
    ) l
    where i.put_code is not null and l.tenant_id = i.tenant_id and l.person_id = i.person_id
  `.execute(db);
}
