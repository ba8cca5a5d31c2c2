// The ORCID client of each organisation: its environment, credentials and wire format, over one
// transport per process that records every call (database + log) and shares the cluster-wide
// rate limiter. Each client is kept with its tenant in the TenantDirectory.
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import { OrcidApi } from '../orcid/api.js';
import { type OrcidEnvironment, orcidEnvironment } from '../orcid/environments.js';
import { OrcidOAuth } from '../orcid/oauth.js';
import type { OrcidTransport } from '../orcid/transport.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface TenantOrcid {
  env: OrcidEnvironment;
  oauth: OrcidOAuth;
  api: OrcidApi;
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

  /** The tenant's client, kept with the tenant in the directory (made anew when it changes). */
  for(tenant: Tenant): Promise<TenantOrcid> {
    return this.directory.derived(tenant, 'orcid-client', async () => {
      const clientSecret = await this.tenants.clientSecret(tenant.id);
      const env = this.environmentOf(tenant);
      const context = { tenantId: tenant.id };
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

  close(): Promise<void> {
    return this.transport.close();
  }
}
