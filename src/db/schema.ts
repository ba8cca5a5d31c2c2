// Row types of the platform's tables, as Kysely sees them. Migrations are the source of truth;
// these types follow them.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  orcid_environment: 'production' | 'sandbox' | 'local';
  api_type: 'member' | 'public';
  client_id: string;
  /** Sealed with AAD tenants/client_secret/{id}. */
  client_secret_sealed: string;
  scopes: string;
  redirect_uri: string;
  support_contact: string;
  /** ORCID rate limit for this client: requests per second and burst. */
  rate_limit_per_s: Generated<number>;
  rate_limit_burst: Generated<number>;
  /** How this tenant talks to ORCID's API. */
  orcid_wire_format: Generated<'json' | 'xml'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface OrcidCallsTable {
  id: Generated<string>;
  tenant_id: string | null;
  orcid: string | null;
  method: string;
  url: string;
  request_body: string | null;
  status: number | null;
  response_body: string | null;
  error_code: number | null;
  error: string | null;
  duration_ms: number;
  attempt: Generated<number>;
  created_at: Generated<Date>;
}

export interface OrcidRateLimitsTable {
  client_id: string;
  tokens: number;
  updated_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  orcid_calls: OrcidCallsTable;
  orcid_rate_limits: OrcidRateLimitsTable;
}
