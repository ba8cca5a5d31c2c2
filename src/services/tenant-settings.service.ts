// An organisation's settings, changed from the console or the CLI through the same code: the
// whole settings after the change are checked at once (every problem listed, nothing changed
// when there is one), saved, audited by name (never a secret's value), and every process
// forgets its copy. "Test connection" asks ORCID for a client-credentials token and reads with
// it, and says what ORCID answered in words.
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { NewTenant, Tenant, TenantRepository } from '../db/tenant.repository.js';
import { hasOrcidCredentials, tenantSettingsProblems } from '../domain/tenant.js';
import { identityProviderFromMetadata, serviceProviderMetadata } from '../identity/saml-metadata.js';
import { OrcidError } from '../orcid/errors.js';
import type { OrcidClients } from './orcid-clients.js';
import type { DocumentFetcher } from './ports.js';

export type SettingsResult = { ok: true; changed: string[] } | { ok: false; problems: string[] };

export type ConnectionTest =
  | { ok: true; environment: string; found: number }
  | {
      ok: false;
      /** What went wrong, for the page's words: the credentials, the scope, or ORCID unreachable. */
      reason: 'credentials' | 'scope' | 'unreachable' | 'other';
      /** ORCID's own answer (redacted), to show as it is. */
      detail: string;
    };

/** The settings a change names, as the audit log and the CLI list them. */
export const changedNames = (changes: Partial<NewTenant>) =>
  Object.keys(changes).map(
    (k) => ({ clientSecret: 'client secret', oidcClientSecret: 'OIDC client secret' })[k] ?? k,
  );

/** The tenant's settings as the schema checks them (the client secret is kept, not read). */
function settingsOf(t: Tenant): Record<string, unknown> {
  return {
    slug: t.slug,
    name: t.name,
    orcidEnvironment: t.orcid_environment,
    apiType: t.api_type,
    // An organisation created without credentials has neither until both are entered.
    ...(hasOrcidCredentials(t) ? { clientId: t.client_id, clientSecret: 'kept' } : {}),
    scopes: t.scopes,
    redirectUri: t.redirect_uri,
    supportContact: t.support_contact,
    signIn: t.sign_in,
    sync: t.sync_settings,
    invitations: t.invitation_settings,
  };
}

export class TenantSettingsService {
  constructor(
    private readonly d: {
      tenants: TenantRepository;
      log: PortalLogRepository;
      /** This process forgets its copy of the tenant at once (others hear of it from the database). */
      changed: (tenantId: string) => void;
      orcid: OrcidClients;
      /** Reads an identity provider's metadata from the URL an administrator gives. */
      documents: DocumentFetcher;
    },
  ) {}

  /** Every problem of the tenant's settings once `changes` are made (empty: they can be saved). */
  problems(current: Tenant | null, changes: Partial<NewTenant>): string[] {
    return tenantSettingsProblems({ ...(current ? settingsOf(current) : {}), ...changes });
  }

  async update(current: Tenant, changes: Partial<NewTenant>, actor: string): Promise<SettingsResult> {
    const problems = this.problems(current, changes);
    if (problems.length) return { ok: false, problems };
    const changed = changedNames(changes);
    if (!changed.length) return { ok: true, changed };
    await this.d.tenants.update(current.id, changes);
    this.d.changed(current.id);
    await this.d.log.audit({
      tenantId: current.id,
      actor,
      action: 'tenant.settings_changed',
      subject: null,
      details: { settings: changed },
    });
    return { ok: true, changed };
  }

  async create(
    settings: NewTenant,
    actor: string,
  ): Promise<{ ok: true; tenant: Tenant } | { ok: false; problems: string[] }> {
    const problems = tenantSettingsProblems(settings);
    if (problems.length) return { ok: false, problems };
    let tenant: Tenant;
    try {
      tenant = await this.d.tenants.create(settings);
    } catch (e) {
      // Another request took the address meanwhile (the slug is unique).
      if ((e as { code?: string }).code === '23505')
        return { ok: false, problems: [`slug: ${settings.slug} is already in use`] };
      throw e;
    }
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'tenant.created',
      subject: null,
      details: { slug: settings.slug, settings: changedNames(settings) },
    });
    return { ok: true, tenant };
  }

  /** What the organisation's identity provider registers: our OIDC redirect URI and SAML values. */
  signInEndpoints(tenant: Tenant, publicUrl: string) {
    const base = `${publicUrl.replace(/\/+$/, '')}/o/${tenant.slug}`;
    return {
      oidcRedirectUri: `${base}/signin/oidc/callback`,
      samlEntityId: tenant.sign_in.saml?.issuer ?? base,
      samlAcs: `${base}/signin/saml/acs`,
      samlMetadataUrl: `${base}/signin/saml/metadata`,
    };
  }

  /** Our SAML service-provider metadata for the organisation's IdP. */
  samlMetadata(tenant: Tenant, publicUrl: string): string {
    const e = this.signInEndpoints(tenant, publicUrl);
    return serviceProviderMetadata({ entityId: e.samlEntityId, acsUrl: e.samlAcs });
  }

  /** The IdP's sign-on URL and certificate from the metadata an administrator gives. */
  identityProvider(xml: string) {
    return identityProviderFromMetadata(xml);
  }

  /** The same, from metadata read at a URL (through the SSRF guard: a private address is refused). */
  async identityProviderAt(url: string): Promise<ReturnType<typeof identityProviderFromMetadata>> {
    let xml: string;
    try {
      xml = await this.d.documents.fetchText(url);
    } catch (e) {
      return { ok: false, problem: (e as Error).message };
    }
    return identityProviderFromMetadata(xml);
  }

  /**
   * A client-credentials exchange for /read-public with the organisation's client, then a search
   * with that token, against the organisation's ORCID environment. Audited (who tested, the outcome).
   */
  async testConnection(tenant: Tenant, actor: string): Promise<ConnectionTest> {
    const result = await this.runTest(tenant);
    await this.d.tenants.recordConnectionCheck(tenant.id, {
      at: new Date().toISOString(),
      ok: result.ok,
      ...(result.ok ? {} : { reason: result.reason }),
    });
    this.d.changed(tenant.id);
    await this.d.log.audit({
      tenantId: tenant.id,
      actor,
      action: 'tenant.connection_tested',
      subject: null,
      details: result.ok ? { ok: true } : { ok: false, reason: result.reason, detail: result.detail },
    });
    return result;
  }

  private async runTest(tenant: Tenant): Promise<ConnectionTest> {
    if (!hasOrcidCredentials(tenant))
      return { ok: false, reason: 'credentials', detail: 'No ORCID client id and secret have been entered.' };
    try {
      const { oauth, api, env } = await this.d.orcid.for(tenant);
      const token = await oauth.clientCredentials('/read-public');
      const { numFound } = await api.search(token.access_token, 'orcid', { rows: 1 });
      return { ok: true, environment: env.registry, found: numFound };
    } catch (e) {
      if (!(e instanceof OrcidError)) {
        return { ok: false, reason: 'unreachable', detail: e instanceof Error ? e.message : String(e) };
      }
      const { oauthError, status } = e.details;
      const reason =
        oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || status === 401
          ? 'credentials'
          : oauthError === 'invalid_scope'
            ? 'scope'
            : e.kind === 'transient'
              ? 'unreachable'
              : 'other';
      return { ok: false, reason, detail: e.message };
    }
  }
}
