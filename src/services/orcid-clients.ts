// The ORCID client of each organisation: its environment, credentials and wire format, over one
// transport per process that records every call (database + log) and shares the cluster-wide
// rate limiter. Each client is kept with its tenant in the TenantDirectory.
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import { hasOrcidCredentials } from '../domain/tenant.js';
import { OrcidApi } from '../orcid/api.js';
import { type OrcidEnvironment, orcidEnvironment } from '../orcid/environments.js';
import { type OAuthContext, OrcidOAuth } from '../orcid/oauth.js';
import type { OrcidTransport } from '../orcid/transport.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface TenantOrcid {
  env: OrcidEnvironment;
  oauth: OrcidOAuth;
  api: OrcidApi;
}

/** No ORCID call is made for an organisation that is suspended or has no credentials yet. */
export class OrcidWorkRefused extends Error {
  constructor(
    slug: string,
    readonly reason: 'suspended' | 'no_credentials',
  ) {
    super(
      reason === 'suspended'
        ? `organisation ${slug} is suspended: no ORCID call is made for it`
        : `organisation ${slug} has not entered its ORCID client id and secret`,
    );
    this.name = 'OrcidWorkRefused';
  }
}

export class OrcidClients {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly directory: TenantDirectory,
    /** The process's one transport (call log, rate limiter): built by the composition root. */
    private readonly transport: OrcidTransport,
    private readonly localOrcidUrl: string,
  ) {}

  environmentOf(tenant: Pick<Tenant, 'orcid_environment'>): OrcidEnvironment {
    return orcidEnvironment(tenant.orcid_environment, this.localOrcidUrl);
  }

  /**
   * The tenant's client, kept with the tenant in the directory (made anew when it changes).
   * Refused while the organisation is suspended (only its deletion's revocations may call ORCID
   * then) or before its credentials are entered.
   */
  for(tenant: Tenant, o: { whileSuspended?: boolean } = {}): Promise<TenantOrcid> {
    if (!hasOrcidCredentials(tenant))
      return Promise.reject(new OrcidWorkRefused(tenant.slug, 'no_credentials'));
    if (tenant.suspended_at && !o.whileSuspended)
      return Promise.reject(new OrcidWorkRefused(tenant.slug, 'suspended'));
    return this.directory.derived(tenant, 'orcid-client', async () => {
      const clientSecret = await this.tenants.clientSecret(tenant.id);
      const env = this.environmentOf(tenant);
      const context: OAuthContext = {
        tenantId: tenant.id,
        onClientAnswer: (accepted) => this.recordClientAnswer(tenant, accepted),
      };
      return {
        env,
        oauth: new OrcidOAuth(env, { clientId: tenant.client_id, clientSecret }, this.transport, context),
        api: new OrcidApi(env, this.transport, {
          clientId: tenant.client_id,
          apiType: tenant.api_type,
          format: tenant.orcid_wire_format,
          tenantId: tenant.id,
        }),
      };
    });
  }

  /**
   * Keeps what ORCID made of the credentials in ordinary work when it differs from what was known
   * (one write when it changes, not one per call): secrets revoked or rotated at ORCID show in the
   * operator's health without anyone testing. Never fails the call it comes from.
   */
  private async recordClientAnswer(tenant: Tenant, accepted: boolean): Promise<void> {
    if (tenant.connection_check?.ok === accepted) return;
    await this.tenants
      .recordConnectionCheck(tenant.id, {
        at: new Date().toISOString(),
        ok: accepted,
        source: 'work',
        ...(accepted ? {} : { reason: 'credentials' }),
      })
      .catch(() => {});
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
