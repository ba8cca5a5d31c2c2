// Invitations of a second kind: asking a person who revoked the organisation's access at ORCID
// whether they want to connect again (at most one every 90 days; the first kind stays one per
// person).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invitations add column kind text not null default 'connect'
    check (kind in ('connect', 'reconsent'))`.execute(db);
  await sql`alter table invitations drop constraint invitations_person`.execute(db);
  await sql`create unique index invitations_person_connect on invitations (tenant_id, person_id)
    where kind = 'connect'`.execute(db);
}
