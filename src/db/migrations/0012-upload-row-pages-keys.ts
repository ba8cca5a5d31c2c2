// An upload's pages name each row's item by its source key instead of its id. The pages are then
// written beside the upload's transaction, on another connection, while the next range of rows is
// stated (the ids exist only inside that transaction). A row finds its item by the
// (tenant_id, source_key) key, as the upload itself did; a row whose item is gone finds none, as
// before.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table upload_row_pages add column source_keys text[]`.execute(db);
  await sql`
    update upload_row_pages pg set source_keys = (
      select array_agg(i.source_key order by e.n)
      from unnest(pg.item_ids) with ordinality as e(item_id, n)
      left join items i on i.tenant_id = pg.tenant_id and i.id = e.item_id
    )`.execute(db);
  await sql`alter table upload_row_pages drop column item_ids, alter column source_keys set not null`.execute(
    db,
  );
}
