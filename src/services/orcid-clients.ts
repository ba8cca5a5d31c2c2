// The ORCID client of each organisation: its environment, credentials and wire format, over one
// transport per process that records every call (database + log) and shares the cluster-wide
// rate limiter. Clients are cached per tenant and rebuilt when the tenant changes.
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import { OrcidApi } from '../orcid/api.js';
import { type OrcidEnvironment, orcidEnvironment } from '../orcid/environments.js';
import { OrcidOAuth } from '../orcid/oauth.js';
import type { OrcidTransport } from '../orcid/transport.js';

export interface TenantOrcid {
  env: OrcidEnvironment;
  oauth: OrcidOAuth;
  api: OrcidApi;
}

export class OrcidClients {
  private readonly cache = new Map<string, { version: number; client: Promise<TenantOrcid> }>();

  constructor(
    private readonly tenants: TenantRepository,
    /** The process's one transport (call log, rate limiter): built by the composition root. */
    private readonly transport: OrcidTransport,
    private readonly localOrcidUrl: string,
  ) {}

  environmentOf(tenant: Pick<Tenant, 'orcid_environment'>): OrcidEnvironment {
    return orcidEnvironment(tenant.orcid_environment, this.localOrcidUrl);
  }

  for(tenant: Tenant): Promise<TenantOrcid> {
    const version = new Date(tenant.updated_at).getTime();
    const hit = this.cache.get(tenant.id);
    if (hit && hit.version === version) return hit.client;
    const client = this.tenants.clientSecret(tenant.id).then((clientSecret) => {
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
    client.catch(() => this.cache.delete(tenant.id));
    this.cache.set(tenant.id, { version, client });
    return client;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
