// What a read can find of a linked record besides its content: deprecated (merged into a primary
// iD; the link ends, status `deprecated`, the primary noted), locked or deactivated (the link
// stays, `record_state` says why, and writes pause until a later read finds the record again);
// and the sync engine's own token: a /read-limited token issued from the link's refresh token
// (SPEC 3.9), sealed, so that reads never open the token that can write.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table orcid_links drop constraint orcid_links_status_check`.execute(db);
  await sql`alter table orcid_links add constraint orcid_links_status_check
    check (status in ('active', 'revoked', 'deprecated', 'expired'))`.execute(db);
  await sql`
    alter table orcid_links
      add column record_state text check (record_state in ('locked', 'deactivated')),
      add column primary_orcid text,
      add column read_token_sealed text`.execute(db);
}
