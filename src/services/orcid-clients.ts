// The ORCID client of each organisation: its environment, credentials and wire format, over one
// transport per process that records every call (database + log) and shares the cluster-wide
// rate limiter. Clients are cached per tenant and rebuilt when the tenant changes.
import type { Kysely } from 'kysely';
import { OrcidCallRepository } from '../db/orcid-call.repository.js';
import { PgRateLimiter, tenantRateLimits } from '../db/orcid-rate-limiter.js';
import type { Database } from '../db/schema.js';
import type { Tenant, TenantRepository } from '../db/tenant.repository.js';
import { allRecorders, callLogger, type Logger } from '../logger.js';
import { OrcidApi } from '../orcid/api.js';
import { type OrcidEnvironment, orcidEnvironment } from '../orcid/environments.js';
import { OrcidOAuth } from '../orcid/oauth.js';
import { OrcidTransport, type TransportOptions } from '../orcid/transport.js';

export interface TenantOrcid {
  env: OrcidEnvironment;
  oauth: OrcidOAuth;
  api: OrcidApi;
}

export class OrcidClients {
  private readonly transport: OrcidTransport;
  private readonly cache = new Map<string, { version: number; client: Promise<TenantOrcid> }>();

  constructor(
    db: Kysely<Database>,
    private readonly tenants: TenantRepository,
    private readonly o: { localOrcidUrl: string; logger: Logger; transport?: TransportOptions },
  ) {
    this.transport = new OrcidTransport({
      recorder: allRecorders(new OrcidCallRepository(db), callLogger(o.logger)),
      limiter: new PgRateLimiter(db, tenantRateLimits(db)),
      onRecorderError: (e) => o.logger.error(e, 'could not record an ORCID call'),
      ...o.transport,
    });
  }

  environmentOf(tenant: Pick<Tenant, 'orcid_environment'>): OrcidEnvironment {
    return orcidEnvironment(tenant.orcid_environment, this.o.localOrcidUrl);
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
