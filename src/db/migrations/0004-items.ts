// What the organisation asserts on its researchers' ORCID records (docs/api.md, Behaviour): one row
// per item with the desired state, content hash, put code and status; item_events keeps every
// attempt. The source key is the organisation's own id of the item: writes are idempotent by it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('items')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    // The simulator's and ORCID client's section names: work, funding, employment, …, keywords.
    .addColumn('section', 'text', (c) => c.notNull())
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('desired_state', 'text', (c) => c.notNull().check(sql`desired_state in ('present', 'absent')`))
    .addColumn('put_code', 'bigint')
    // The content hash ORCID holds (last successful create or update).
    .addColumn('written_hash', 'text')
    .addColumn('group_id', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('pending', 'queued', 'in_orcid', 'deleted', 'revoked', 'deleted_by_researcher', 'record_unavailable', 'invalid', 'retrying', 'failed')`,
        ),
    )
    // ORCID's message for invalid / failed items, in plain words for people.
    .addColumn('status_detail', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('written_at', 'timestamptz')
    // A worker writing the item holds a lease (no database transaction spans an ORCID call);
    // a lease left by a crashed worker expires and the next attempt adopts what reached ORCID.
    .addColumn('lease_token', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addUniqueConstraint('items_tenant_source_key', ['tenant_id', 'source_key'])
    .execute();
  await db.schema.createIndex('items_person').on('items').columns(['tenant_id', 'person_id']).execute();
  await db.schema.createIndex('items_status').on('items').columns(['tenant_id', 'status']).execute();

  await db.schema
    .createTable('item_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('item_id', 'uuid', (c) => c.notNull().references('items.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('put_code', 'bigint')
    .addColumn('http_status', 'integer')
    .addColumn('error_code', 'integer')
    .addColumn('message', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('item_events_item').on('item_events').columns(['item_id', 'id']).execute();
}
