// The live evidence of the integration-review report, per organisation: how iDs were collected,
// what is stored and how (sealed), what was written with put codes, how calls were made and
// logged, how connections ended, and how records are kept current. Counts only.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export interface ReviewEvidence {
  links: number;
  activeLinks: number;
  /** Links whose iD came back from ORCID's OAuth (an authorization granted for that iD). */
  linksFromOauth: number;
  granted: number;
  denied: number;
  tokensStored: number;
  /** Stored tokens in Lanyard's sealed format (none in clear). */
  tokensSealed: number;
  /** The organisation's ORCID client secret is stored sealed. */
  secretSealed: boolean;
  itemsWritten: number;
  itemsWithPutCode: number;
  posts30d: number;
  puts30d: number;
  deletes30d: number;
  calls7d: number;
  disconnected: number;
  revokedAtOrcid: number;
  recordsRead: number;
  readWithin7d: number;
  webhooksRegistered: number;
  eventEndpoints: number;
}

export class IntegrationReviewRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async evidence(tenantId: string): Promise<ReviewEvidence> {
    const { rows } = await sql<ReviewEvidence>`
      select
        (select count(*) from orcid_links where tenant_id = ${tenantId})::int as "links",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and status = 'active')::int as "activeLinks",
        (select count(*) from orcid_links l where l.tenant_id = ${tenantId} and exists (
          select 1 from orcid_authorizations a where a.tenant_id = l.tenant_id and a.orcid = l.orcid
            and a.outcome = 'granted'))::int as "linksFromOauth",
        (select count(*) from orcid_authorizations where tenant_id = ${tenantId} and outcome = 'granted')::int as "granted",
        (select count(*) from orcid_authorizations where tenant_id = ${tenantId} and outcome = 'denied')::int as "denied",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and token_sealed is not null)::int as "tokensStored",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and token_sealed like 'v1:%:%:%')::int as "tokensSealed",
        (select client_secret_sealed like 'v1:%:%:%' from tenants where id = ${tenantId}) as "secretSealed",
        (select count(*) from items where tenant_id = ${tenantId} and status = 'in_orcid')::int as "itemsWritten",
        (select count(*) from items where tenant_id = ${tenantId} and status = 'in_orcid'
          and put_code is not null)::int as "itemsWithPutCode",
        (select count(*) from orcid_calls where tenant_id = ${tenantId} and method = 'POST' and status between 200 and 299
          and url like '%/v3.0/%' and created_at > now() - interval '30 days')::int as "posts30d",
        (select count(*) from orcid_calls where tenant_id = ${tenantId} and method = 'PUT' and status between 200 and 299
          and created_at > now() - interval '30 days')::int as "puts30d",
        (select count(*) from orcid_calls where tenant_id = ${tenantId} and method = 'DELETE' and status between 200 and 299
          and url like '%/v3.0/%' and created_at > now() - interval '30 days')::int as "deletes30d",
        (select count(*) from orcid_calls where tenant_id = ${tenantId} and created_at > now() - interval '7 days')::int as "calls7d",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and status = 'revoked')::int as "disconnected",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and revoked_at_orcid is not null)::int as "revokedAtOrcid",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and synced_at is not null)::int as "recordsRead",
        (select count(*) from orcid_links where tenant_id = ${tenantId} and status = 'active'
          and synced_at > now() - interval '7 days')::int as "readWithin7d",
        (select count(*) from webhook_subscriptions where tenant_id = ${tenantId} and status = 'registered')::int as "webhooksRegistered",
        (select count(*) from event_endpoints where tenant_id = ${tenantId})::int as "eventEndpoints"
    `.execute(this.db);
    return rows[0]!;
  }
}
