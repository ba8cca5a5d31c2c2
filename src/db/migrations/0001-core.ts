// Tenants (organisations), the ORCID call log, and the shared ORCID rate-limit buckets.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('orcid_environment', 'text', (c) =>
      c.notNull().check(sql`orcid_environment in ('production', 'sandbox', 'local')`),
    )
    .addColumn('api_type', 'text', (c) => c.notNull().check(sql`api_type in ('member', 'public')`))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('support_contact', 'text', (c) => c.notNull())
    .addColumn('rate_limit_per_s', 'real', (c) => c.notNull().defaultTo(24))
    .addColumn('rate_limit_burst', 'real', (c) => c.notNull().defaultTo(40))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('orcid_calls')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('orcid', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('request_body', 'text')
    .addColumn('status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('error_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('orcid_calls_tenant_time')
    .on('orcid_calls')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema.createIndex('orcid_calls_orcid').on('orcid_calls').column('orcid').execute();

  // One token bucket per ORCID client id, shared by every process (one atomic UPDATE per take).
  await db.schema
    .createTable('orcid_rate_limits')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
