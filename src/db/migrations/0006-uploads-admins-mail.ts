// Bulk uploads (each row kept, so a finished upload exports with put codes and statuses),
// organisation administrators, invitations to connect, and the mail outbox (every message sent,
// also shown in embedded mode where no SMTP server may exist).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // On connect, write the person's employment from HR data (people.employment_*), if the tenant wants it.
  await db.schema
    .alterTable('tenants')
    .addColumn('employment_on_connect', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('affiliations-csv', 'items-json')`))
    .addColumn('filename', 'text', (c) => c.notNull())
    // Who uploaded it: an administrator's local id, or "cli".
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('uploads_tenant').on('uploads').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('upload_rows')
    .addColumn('upload_id', 'uuid', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'uuid', (c) => c.notNull().references('items.id').onDelete('cascade'))
    // The row as uploaded (normalised), from which the export is rebuilt.
    .addColumn('row', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_rows_pk', ['upload_id', 'row_number'])
    .execute();

  // Leases left behind by a crashed worker (the write sweep looks for expired ones).
  await db.schema
    .createIndex('items_leased')
    .on('items')
    .column('lease_until')
    .where(sql.ref('lease_until'), 'is not', null)
    .execute();

  await db.schema
    .createTable('admin_users')
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    // The person's local id as institutional sign-in yields it (employee id, eppn or email).
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin')`))
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('admin_users_pk', ['tenant_id', 'local_id'])
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('last_error', 'text')
    // One invitation per person: pending items added later do not mail them again.
    .addUniqueConstraint('invitations_person', ['tenant_id', 'person_id'])
    .execute();

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('message_id', 'text')
    .execute();
  await db.schema
    .createIndex('mail_outbox_tenant')
    .on('mail_outbox')
    .columns(['tenant_id', 'created_at'])
    .execute();
}
