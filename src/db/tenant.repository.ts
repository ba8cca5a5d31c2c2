// Tenants (organisations). The ORCID client secret is sealed; callers get it only through
// clientSecret(), opened with the key ring.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { KeyRing } from '../crypto/key-ring.js';
import { open, seal } from '../crypto/seal.js';
import type { InvitationTemplates } from '../domain/invitation-template.js';
import type { InvitationSettings, PortalTexts, SignInSettings, SyncSettings } from '../domain/tenant.js';
import { TENANT_CHANNEL } from './notices.js';
import type { ConnectionCheck, Database, TenantsTable } from './schema.js';

type SealedColumns = 'client_secret_sealed' | 'oidc_client_secret_sealed';
export type Tenant = Omit<Selectable<TenantsTable>, SealedColumns>;

function withoutSecrets(row: Selectable<TenantsTable>): Tenant {
  const { client_secret_sealed: _, oidc_client_secret_sealed: __, ...tenant } = row;
  return tenant;
}

export interface NewTenant {
  slug: string;
  name: string;
  orcidEnvironment: TenantsTable['orcid_environment'];
  apiType: TenantsTable['api_type'];
  /** Absent (with the secret): entered later by the organisation's administrator. */
  clientId?: string;
  clientSecret?: string;
  scopes: string;
  redirectUri: string;
  supportContact: string;
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
  wireFormat?: 'json' | 'xml';
  portalTexts?: PortalTexts;
  signIn?: SignInSettings;
  /** The institutional OIDC client's secret (sealed). */
  oidcClientSecret?: string;
  org?: OrgIdentity;
  /** On connect, write the person's employment from HR data. */
  employmentOnConnect?: boolean;
  sync?: SyncSettings;
  /** Administrators may export people's tokens in clear. */
  tokenExport?: boolean;
  invitations?: InvitationSettings;
  invitationTemplates?: InvitationTemplates;
}

/** The organisation as it appears in affiliations it writes. */
export interface OrgIdentity {
  name?: string | null;
  city?: string | null;
  region?: string | null;
  country?: string | null;
  disambiguatedId?: string | null;
  disambiguationSource?: TenantsTable['org_disambiguation_source'];
}

const secretContext = (id: string) => ({ table: 'tenants', column: 'client_secret_sealed', row: id });
const oidcSecretContext = (id: string) => ({
  table: 'tenants',
  column: 'oidc_client_secret_sealed',
  row: id,
});

/** The columns that NewTenant's optional portal fields set. */
function portalColumns(id: string, ring: KeyRing, t: Partial<NewTenant>): Updateable<TenantsTable> {
  const set: Updateable<TenantsTable> = {};
  if (t.portalTexts !== undefined) set.portal_texts = t.portalTexts;
  if (t.signIn !== undefined) set.sign_in = t.signIn;
  if (t.employmentOnConnect !== undefined) set.employment_on_connect = t.employmentOnConnect;
  if (t.sync !== undefined) set.sync_settings = t.sync;
  if (t.tokenExport !== undefined) set.token_export = t.tokenExport;
  if (t.invitations !== undefined) set.invitation_settings = t.invitations;
  if (t.invitationTemplates !== undefined) set.invitation_templates = t.invitationTemplates;
  if (t.oidcClientSecret !== undefined)
    set.oidc_client_secret_sealed = seal(ring, t.oidcClientSecret, oidcSecretContext(id));
  if (t.org) {
    if (t.org.name !== undefined) set.org_name = t.org.name;
    if (t.org.city !== undefined) set.org_city = t.org.city;
    if (t.org.region !== undefined) set.org_region = t.org.region;
    if (t.org.country !== undefined) set.org_country = t.org.country;
    if (t.org.disambiguatedId !== undefined) set.org_disambiguated_id = t.org.disambiguatedId;
    if (t.org.disambiguationSource !== undefined) set.org_disambiguation_source = t.org.disambiguationSource;
  }
  return set;
}

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
        client_id: t.clientId ?? '',
        client_secret_sealed: seal(this.ring, t.clientSecret ?? '', secretContext(id)),
        scopes: t.scopes,
        redirect_uri: t.redirectUri,
        support_contact: t.supportContact,
        ...(t.rateLimitPerSecond ? { rate_limit_per_s: t.rateLimitPerSecond } : {}),
        ...(t.rateLimitBurst ? { rate_limit_burst: t.rateLimitBurst } : {}),
        ...(t.wireFormat ? { orcid_wire_format: t.wireFormat } : {}),
        ...portalColumns(id, this.ring, t),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.notifyChanged(id);
    return withoutSecrets(row);
  }

  /** Tells every process that keeps tenants (TenantDirectory) that this one changed, at commit. */
  private async notifyChanged(id: string): Promise<void> {
    await sql`select pg_notify(${TENANT_CHANNEL}, ${id})`.execute(this.db);
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row && withoutSecrets(row);
  }

  /** The organisations on an ORCID environment (start-up checks). */
  async slugsOn(environment: TenantsTable['orcid_environment']): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tenants')
      .select('slug')
      .where('orcid_environment', '=', environment)
      .orderBy('slug')
      .execute();
    return rows.map((r) => r.slug);
  }

  /**
   * The organisations whose work runs (not suspended): the scheduled sweeps (reconciliation, token
   * health, webhook repair) pass the others by, and take them up again once they are resumed.
   */
  async workingIds(): Promise<string[]> {
    return (
      await this.db
        .selectFrom('tenants')
        .select('id')
        .where('suspended_at', 'is', null)
        .orderBy('created_at')
        .execute()
    ).map((r) => r.id);
  }

  async byId(id: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && withoutSecrets(row);
  }

  /** Inside a transaction: holds the tenant's row until it ends (serialises changes to one tenant). */
  async lockForUpdate(id: string): Promise<void> {
    await sql`select 1 from tenants where id = ${id} for update`.execute(this.db);
  }

  /** The client secret as stored, sealed (for the CLI's check that a change keeps it). */
  async sealedSecretOf(tenantId: string): Promise<string> {
    const row = await this.db
      .selectFrom('tenants')
      .select('client_secret_sealed')
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return row.client_secret_sealed;
  }

  async clientSecret(tenantId: string): Promise<string> {
    return open(this.ring, await this.sealedSecretOf(tenantId), secretContext(tenantId));
  }

  /** The institutional OIDC client secret, when one is set. */
  async oidcClientSecret(tenantId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('tenants')
      .select('oidc_client_secret_sealed')
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return row.oidc_client_secret_sealed
      ? open(this.ring, row.oidc_client_secret_sealed, oidcSecretContext(tenantId))
      : null;
  }

  /** Suspends (a time) or resumes (null) the organisation. */
  async setSuspended(id: string, at: Date | null): Promise<void> {
    await this.db
      .updateTable('tenants')
      .set({ suspended_at: at, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    await this.notifyChanged(id);
  }

  /** Suspended for good: what the deletion job does next is revoke every token, then delete. */
  async markForDeletion(id: string): Promise<void> {
    const now = new Date();
    await sql`update tenants set deletion_requested_at = ${now}, suspended_at = coalesce(suspended_at, ${now})
      where id = ${id}`.execute(this.db);
    await this.notifyChanged(id);
  }

  /** Every organisation, by name (the operator's list). */
  async all(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('name').orderBy('slug').execute();
    return rows.map(withoutSecrets);
  }

  async recordConnectionCheck(id: string, check: ConnectionCheck): Promise<void> {
    await this.db.updateTable('tenants').set({ connection_check: check }).where('id', '=', id).execute();
    await this.notifyChanged(id);
  }

  /** Deletes the organisation and, by cascade, everything it owns; true when it existed. */
  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
    await this.notifyChanged(id);
    return r.numDeletedRows > 0n;
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
    Object.assign(set, portalColumns(id, this.ring, changes));
    // What ORCID made of the credentials no longer holds once they (or where they are used) change.
    const credentialsChanged = [
      ...(changes.clientSecret !== undefined ? [sql<boolean>`true`] : []),
      ...(changes.clientId !== undefined
        ? [sql<boolean>`client_id is distinct from ${changes.clientId}`]
        : []),
      ...(changes.orcidEnvironment !== undefined
        ? [sql<boolean>`orcid_environment is distinct from ${changes.orcidEnvironment}`]
        : []),
    ];
    const row = await this.db
      .updateTable('tenants')
      .set(set)
      .$if(credentialsChanged.length > 0, (q) =>
        q.set({
          connection_check: sql<ConnectionCheck | null>`case when ${sql.join(credentialsChanged, sql` or `)}
            then null else connection_check end`,
        }),
      )
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.notifyChanged(id);
    return withoutSecrets(row);
  }
}
