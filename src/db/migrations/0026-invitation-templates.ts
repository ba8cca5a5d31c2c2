// The organisation's own invitation message per language (subject and body with placeholders),
// and the language invitations are written in (invitation_settings.language, default English).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column invitation_templates jsonb not null default '{}'`.execute(db);
}
