// Tenants (organisations). The ORCID client secret is sealed; callers get it only through
// clientSecret(), opened with the key ring.
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open, seal } from '../crypto/seal.js';
import type { Database, TenantsTable } from './schema.js';

export type Tenant = Omit<Selectable<TenantsTable>, 'client_secret_sealed'>;

export interface NewTenant {
  slug: string;
  name: string;
  orcidEnvironment: TenantsTable['orcid_environment'];
  apiType: TenantsTable['api_type'];
  clientId: string;
  clientSecret: string;
  scopes: string;
  redirectUri: string;
  supportContact: string;
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
  wireFormat?: 'json' | 'xml';
}

const secretContext = (id: string) => ({ table: 'tenants', column: 'client_secret_sealed', row: id });

export class TenantRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ring: KeyRing,
  ) {}

  async create(t: NewTenant): Promise<Tenant> {
    const id = randomUUID();
    const row = await this.db
      .insertInto('tenants')
      .values({
        id,
        slug: t.slug,
        name: t.name,
        orcid_environment: t.orcidEnvironment,
        api_type: t.apiType,
        client_id: t.clientId,
        client_secret_sealed: seal(this.ring, t.clientSecret, secretContext(id)),
        scopes: t.scopes,
        redirect_uri: t.redirectUri,
        support_contact: t.supportContact,
        ...(t.rateLimitPerSecond ? { rate_limit_per_s: t.rateLimitPerSecond } : {}),
        ...(t.rateLimitBurst ? { rate_limit_burst: t.rateLimitBurst } : {}),
        ...(t.wireFormat ? { orcid_wire_format: t.wireFormat } : {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const { client_secret_sealed: _, ...tenant } = row;
    return tenant;
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
    if (!row) return undefined;
    const { client_secret_sealed: _, ...tenant } = row;
    return tenant;
  }

  async clientSecret(tenantId: string): Promise<string> {
    const row = await this.db
      .selectFrom('tenants')
      .select('client_secret_sealed')
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return open(this.ring, row.client_secret_sealed, secretContext(tenantId));
  }

  /** Changes the given fields; a new client secret is sealed again for this row. */
  async update(id: string, changes: Partial<NewTenant>): Promise<Tenant> {
    const set: Updateable<TenantsTable> = { updated_at: new Date() };
    if (changes.slug !== undefined) set.slug = changes.slug;
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.orcidEnvironment !== undefined) set.orcid_environment = changes.orcidEnvironment;
    if (changes.apiType !== undefined) set.api_type = changes.apiType;
    if (changes.clientId !== undefined) set.client_id = changes.clientId;
    if (changes.clientSecret !== undefined)
      set.client_secret_sealed = seal(this.ring, changes.clientSecret, secretContext(id));
    if (changes.scopes !== undefined) set.scopes = changes.scopes;
    if (changes.redirectUri !== undefined) set.redirect_uri = changes.redirectUri;
    if (changes.supportContact !== undefined) set.support_contact = changes.supportContact;
    if (changes.rateLimitPerSecond !== undefined) set.rate_limit_per_s = changes.rateLimitPerSecond;
    if (changes.rateLimitBurst !== undefined) set.rate_limit_burst = changes.rateLimitBurst;
    if (changes.wireFormat !== undefined) set.orcid_wire_format = changes.wireFormat;
    const row = await this.db
      .updateTable('tenants')
      .set(set)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const { client_secret_sealed: _, ...tenant } = row;
    return tenant;
  }
}
