// Reminders of an invitation to connect: the organisation sets how many (default 2) and how many
// days apart (default 14); each invitation counts the reminders it has had, and the hourly sweep
// finds the ones due through a partial index of sent invitations to connect.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invitations add column reminders_sent integer not null default 0`.execute(db);
  await sql`alter table tenants add column invitation_settings jsonb not null default '{}'`.execute(db);
  await sql`create index invitations_reminder_due on invitations (sent_at) where kind = 'connect' and sent_at is not null`.execute(
    db,
  );
}
