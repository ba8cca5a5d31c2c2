// The demo directory: people with passwords, standing in for an institution's identity provider
// in the demo and tests. Only tenants on the `local` ORCID environment may use it.
import type { Kysely } from 'kysely';
import { hashPassword, verifyPassword } from '../crypto/password.js';
import type { Database } from '../db/schema.js';
import type { Tenant } from '../db/tenant.repository.js';
import type { PersonAttributes } from '../domain/tenant.js';

export function demoDirectoryEnabled(tenant: Pick<Tenant, 'orcid_environment' | 'sign_in'>): boolean {
  return tenant.orcid_environment === 'local' && tenant.sign_in.demoDirectory === true;
}

export class DemoDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async add(
    tenantId: string,
    username: string,
    password: string,
    attributes: PersonAttributes,
  ): Promise<void> {
    const password_hash = await hashPassword(password);
    await this.db
      .insertInto('directory_accounts')
      .values({
        tenant_id: tenantId,
        username: username.toLowerCase(),
        password_hash,
        attributes: JSON.stringify(attributes),
      })
      .onConflict((oc) =>
        oc
          .constraint('directory_accounts_tenant_username')
          .doUpdateSet({ password_hash, attributes: JSON.stringify(attributes) }),
      )
      .execute();
  }

  /** The account's attributes when the password is right; null otherwise (same work either way). */
  async verify(tenantId: string, username: string, password: string): Promise<PersonAttributes | null> {
    const row = await this.db
      .selectFrom('directory_accounts')
      .select(['password_hash', 'attributes'])
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username.trim().toLowerCase())
      .executeTakeFirst();
    // An unknown user costs a hash too, so timing does not tell which usernames exist.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    return ok && row ? row.attributes : null;
  }
}

const DUMMY_HASH = 'scrypt:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
