// The researcher portal: the organisation's portal texts, affiliation identity and sign-in
// settings; people, their ORCID links (token response sealed), OAuth linking states, the
// record snapshot read at connect, server-side sessions, the demo directory, every authorize
// outcome, and the audit log.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    // { [lang]: { why?, use? } }: the organisation's own words; defaults come from the locales.
    .addColumn('portal_texts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('org_name', 'text')
    .addColumn('org_city', 'text')
    .addColumn('org_region', 'text')
    .addColumn('org_country', 'text')
    .addColumn('org_disambiguated_id', 'text')
    .addColumn('org_disambiguation_source', 'text', (c) =>
      c.check(sql`org_disambiguation_source in ('ROR', 'RINGGOLD', 'GRID', 'FUNDREF', 'LEI')`),
    )
    // Institutional sign-in: { demoDirectory, oidc?: {...}, saml?: {...}, orcidSignIn }.
    .addColumn('sign_in', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('oidc_client_secret_sealed', 'text')
    .execute();

  await db.schema
    .createTable('people')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    // The organisation's stable key for the person (employee id, else eppn, else email).
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('eppn', 'text')
    .addColumn('employee_id', 'text')
    .addColumn('given_names', 'text')
    .addColumn('family_name', 'text')
    .addColumn('employment_status', 'text', (c) => c.check(sql`employment_status in ('current', 'left')`))
    .addColumn('employment_start', 'date')
    .addColumn('employment_end', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('people_tenant_local_id', ['tenant_id', 'local_id'])
    .execute();

  await db.schema
    .createTable('orcid_links')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('orcid', 'text', (c) => c.notNull())
    // The whole token response (access, refresh, id_token, scope, expiry, name), sealed. Kept
    // after a disconnect only until ORCID has confirmed the revocation.
    .addColumn('token_sealed', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'revoked')`))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    // Who ended the link: the researcher here, an administrator, or ORCID (401 on use).
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_at_orcid', 'timestamptz')
    .execute();
  await sql`create unique index orcid_links_one_active_per_person on orcid_links (tenant_id, person_id)
    where status = 'active'`.execute(db);
  await sql`create unique index orcid_links_one_active_per_orcid on orcid_links (tenant_id, orcid)
    where status = 'active'`.execute(db);

  await db.schema
    .createTable('oauth_states')
    // sha256 of the 256-bit state sent to ORCID: a database dump cannot complete a flow.
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('session_hash', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('record_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('orcid', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    // What the portal shows (name, current employments), so pages need not load the document.
    .addColumn('summary', 'jsonb')
    .addColumn('read_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('record_snapshots_person')
    .on('record_snapshots')
    .columns(['tenant_id', 'person_id', 'read_at'])
    .execute();

  await db.schema
    .createTable('sessions')
    // sha256 of the session id in the cookie.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

  // SAML AuthnRequest ids awaiting their response (InResponseTo), shared by every web process;
  // each is removed when its response arrives, so a response cannot be replayed.
  await db.schema
    .createTable('saml_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('directory_accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('attributes', 'jsonb', (c) => c.notNull())
    .addUniqueConstraint('directory_accounts_tenant_username', ['tenant_id', 'username'])
    .execute();

  await db.schema
    .createTable('orcid_authorizations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('orcid', 'text')
    .addColumn('scope', 'text')
    .addColumn('detail', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('orcid_authorizations_tenant_time')
    .on('orcid_authorizations')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('audit_log_tenant_time')
    .on('audit_log')
    .columns(['tenant_id', 'created_at'])
    .execute();
}
