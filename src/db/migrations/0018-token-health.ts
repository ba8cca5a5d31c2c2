// Token health: when the organisation was last told a link expires soon (so it is told once);
// and invitations of two more kinds: renewing a grant that expires soon, and connecting the
// primary iD a deprecated record was merged into.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table orcid_links add column expiry_notified_at timestamptz`.execute(db);
  await sql`alter table invitations drop constraint invitations_kind_check`.execute(db);
  await sql`alter table invitations add constraint invitations_kind_check
    check (kind in ('connect', 'reconsent', 'renewal', 'primary'))`.execute(db);
  await sql`create index orcid_links_expiry on orcid_links (tenant_id, expires_at) where status = 'active'`.execute(
    db,
  );
}
