// Each organisation talks JSON to ORCID by default; XML is a per-tenant option.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('orcid_wire_format', 'text', (c) =>
      c.notNull().defaultTo('json').check(sql`orcid_wire_format in ('json', 'xml')`),
    )
    .execute();
}
