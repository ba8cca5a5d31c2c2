// Peer reviews name their review group (SPEC 6.9). Before a review is written its group must
// exist: search ORCID's group-id records first and create one only when none matches. issn:
// groups ORCID creates itself on first use. Known groups are remembered per process, and the
// two-legged token (long-lived at ORCID) with the tenant in the directory.
import { LRUCache } from 'lru-cache';
import type { Tenant } from '../db/tenant.repository.js';
import type { TenantOrcid } from './orcid-clients.js';
import type { TenantDirectory } from './tenant-directory.js';

const GROUP_SCOPES = '/group-id-record/read /group-id-record/update';

export class PeerReviewGroups {
  /** Groups known to exist, per tenant. */
  private readonly known = new LRUCache<string, true>({ max: 10_000 });

  constructor(private readonly directory: TenantDirectory) {}

  private token(tenant: Tenant, orcid: TenantOrcid): Promise<string> {
    return this.directory.derived(tenant, 'group-id-token', () =>
      orcid.oauth.clientCredentials(GROUP_SCOPES).then((t) => t.access_token),
    );
  }

  /** Makes sure the group exists at ORCID (ORCID errors propagate to the item's status). */
  async ensure(tenant: Tenant, orcid: TenantOrcid, groupId: string): Promise<void> {
    if (/^issn:/i.test(groupId)) return;
    const key = `${tenant.id} ${groupId}`;
    if (this.known.has(key)) return;
    const token = await this.token(tenant, orcid);
    if (!(await orcid.api.findGroupId(token, groupId)))
      await orcid.api.createGroupId(token, {
        name: groupId,
        groupId,
        description: `Peer review group used by ${tenant.name}`,
        type: 'publisher',
      });
    this.known.set(key, true);
  }
}
