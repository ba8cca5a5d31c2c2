// Registry search for administrators: the records in ORCID's public registry that list the
// organisation (by its ROR, Ringgold or GRID id, and by its name) in their affiliations, each
// marked when it is already connected here. A two-legged /read-public token (SPEC 11); only
// public data is found.
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import type { ExpandedResult } from '../orcid/api.js';
import type { OrcidClients } from './orcid-clients.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface RegistryHit extends ExpandedResult {
  /** The local id of the person connected with this iD here, if any. */
  connectedAs: string | null;
}

/** The search fields of organisation ids ORCID indexes (SPEC 11). */
const ID_FIELDS: Record<string, string> = {
  ROR: 'ror-org-id',
  RINGGOLD: 'ringgold-org-id',
  GRID: 'grid-org-id',
};

const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** The query: the organisation's id (where ORCID indexes its kind) or its name. */
export function registryQuery(
  t: Pick<Tenant, 'name' | 'org_name' | 'org_disambiguated_id' | 'org_disambiguation_source'>,
): string {
  const parts = [`affiliation-org-name:${quoted(t.org_name ?? t.name)}`];
  const field = t.org_disambiguation_source ? ID_FIELDS[t.org_disambiguation_source] : undefined;
  if (field && t.org_disambiguated_id) parts.unshift(`${field}:${quoted(t.org_disambiguated_id)}`);
  return parts.join(' OR ');
}

export class RegistrySearchService {
  constructor(
    private readonly d: { directory: TenantDirectory; orcid: OrcidClients; links: OrcidLinkRepository },
  ) {}

  async search(
    tenant: Tenant,
    page: { start: number; rows: number },
  ): Promise<{ query: string; numFound: number; results: RegistryHit[] }> {
    const { api, oauth } = await this.d.orcid.for(tenant);
    const token = await this.d.directory.derived(tenant, 'read-public-token', () =>
      oauth.clientCredentials('/read-public').then((t) => t.access_token),
    );
    const query = registryQuery(tenant);
    const found = await api.expandedSearch(token, query, page);
    const connected = await this.d.links.connectedAmong(
      tenant.id,
      found.results.map((r) => r.orcid),
    );
    return {
      query,
      numFound: found.numFound,
      results: found.results.map((r) => ({ ...r, connectedAs: connected.get(r.orcid) ?? null })),
    };
  }
}
