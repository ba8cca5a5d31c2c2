// An item belongs to a person of its organisation, and goes with them: what the foreign key
// items (tenant_id, person_id) -> people (tenant_id, id) on delete cascade promised, kept by
// triggers that check once per statement instead of once per row. The key's per-row check was a
// fifth of the time an upload takes to state its rows (one lookup and lock per item, where an
// upload names a few thousand people for hundreds of thousands of items); the statement's check
// finds and locks each person it names once.
//
// - Items inserted: every (tenant, person) they name must be a person of that tenant, locked FOR
//   KEY SHARE as the key's check locks it, so that a person deleted meanwhile either waits for the
//   inserting transaction (and then takes its items along) or makes the insert fail.
// - Items updated: their person and organisation never change (nothing in Lanyard moves an item).
// - People deleted: their items are deleted in the same statement (as the key's cascade did,
//   also when the organisation is deleted and its people go with it).
// - People's ids and organisations never change.
// Errors keep the foreign key's code (23503).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table items drop constraint items_tenant_person_fkey`.execute(db);

  await sql`
    create function lanyard_items_people_exist() returns trigger language plpgsql as $$
    declare
      missing bigint;
    begin
      with named as (select distinct tenant_id, person_id from added),
        locked as (select p.id from people p join named n on p.tenant_id = n.tenant_id and p.id = n.person_id
          for key share of p)
      select (select count(*) from named) - (select count(*) from locked) into missing;
      if missing > 0 then
        raise exception 'items name % person(s) who are not people of their organisation', missing
          using errcode = 'foreign_key_violation', table = 'items';
      end if;
      return null;
    end $$
  `.execute(db);
  await sql`
    create trigger items_people_exist after insert on items referencing new table as added
      for each statement execute function lanyard_items_people_exist()
  `.execute(db);

  await sql`
    create function lanyard_refuse_owner_change() returns trigger language plpgsql as $$
    begin
      raise exception '%: a row''s organisation and person never change', tg_table_name
        using errcode = 'foreign_key_violation', table = tg_table_name;
    end $$
  `.execute(db);
  await sql`
    create trigger items_person_fixed before update on items for each row
      when (old.tenant_id is distinct from new.tenant_id or old.person_id is distinct from new.person_id)
      execute function lanyard_refuse_owner_change()
  `.execute(db);
  await sql`
    create trigger people_id_fixed before update on people for each row
      when (old.tenant_id is distinct from new.tenant_id or old.id is distinct from new.id)
      execute function lanyard_refuse_owner_change()
  `.execute(db);

  await sql`
    create function lanyard_people_items_go() returns trigger language plpgsql as $$
    begin
      delete from items i using gone g where i.tenant_id = g.tenant_id and i.person_id = g.id;
      return null;
    end $$
  `.execute(db);
  await sql`
    create trigger people_items_go after delete on people referencing old table as gone
      for each statement execute function lanyard_people_items_go()
  `.execute(db);
}
