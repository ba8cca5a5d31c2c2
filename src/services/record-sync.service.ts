// Synchronize: reads a connected record and brings the collected copy up to date. One ORCID call
// per read (GET /record: every section's summaries and their last-modified dates); an unchanged
// record (same last-modified date) costs that call and nothing else. What changed is noted in the
// change feed; an item the organisation wrote that is gone was deleted by the researcher, and is
// marked so at once (never written again); a revoked token ends the link.

import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type { ItemRepository } from '../db/item.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { UnitOfWork } from '../db/repositories.js';
import { collectRecord, diffCollected } from '../domain/collected-record.js';
import type { Logger } from '../logger.js';
import { OrcidError } from '../orcid/errors.js';
import type { OrcidClients } from './orcid-clients.js';
import type { WebhookQueue } from './ports.js';
import { endRevokedLink } from './revoked-link.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface RecordSyncDeps {
  directory: TenantDirectory;
  links: OrcidLinkRepository;
  items: ItemRepository;
  records: CollectedRecordRepository;
  webhooks?: WebhookQueue;
  unitOfWork: UnitOfWork;
  orcid: OrcidClients;
  logger: Logger;
}

export type SyncOutcome =
  /** The link is not active (or unknown): nothing to read. */
  | { kind: 'inactive' }
  | { kind: 'unchanged' }
  | { kind: 'changed'; changes: number; deletedByResearcher: number }
  | { kind: 'revoked' }
  /** ORCID could not give the record (deprecated, locked, deactivated, forbidden): noted on the link. */
  | { kind: 'unavailable'; reason: string };

export class RecordSyncService {
  constructor(private readonly d: RecordSyncDeps) {}

  /**
   * Reads the link's record and updates the copy. A transient failure (5xx, 503 over the rate
   * limit, a timeout) is thrown, for the job to try again later.
   */
  async sync(tenantId: string, linkId: string): Promise<SyncOutcome> {
    const tenant = await this.d.directory.byId(tenantId);
    const link = await this.d.links.byId(tenantId, linkId);
    if (!tenant || !link || link.status !== 'active') return { kind: 'inactive' };
    const token = await this.d.links.tokenOf(tenantId, linkId);
    if (!token) return { kind: 'inactive' };
    const { api } = await this.d.orcid.for(tenant);
    const ref = { tenantId, linkId, personId: link.person_id, orcid: link.orcid };

    const readAt = new Date();
    let document: unknown;
    try {
      document = await api.record(token.access_token, link.orcid);
    } catch (e) {
      if (!(e instanceof OrcidError) || e.kind === 'transient') throw e;
      if (e.kind === 'revoked') {
        await endRevokedLink(this.d, tenant, linkId);
        return { kind: 'revoked' };
      }
      // The first time a record cannot be read, the feed says so; the link keeps why.
      if (!link.sync_error)
        await this.d.records.note(ref, [{ kind: 'link.unavailable', detail: { reason: e.message } }]);
      await this.d.records.failed(tenantId, linkId, e.message);
      return { kind: 'unavailable', reason: e.message };
    }

    const read = collectRecord(document);
    if (
      read.lastModified !== null &&
      link.synced_at &&
      !link.sync_error &&
      link.record_modified === String(read.lastModified)
    ) {
      await this.d.records.unchanged(tenantId, linkId);
      return { kind: 'unchanged' };
    }

    const known = await this.d.records.known(tenantId, linkId);
    const changes = diffCollected(known, read.items);
    const ownPutCodes = read.items
      .filter((i) => i.sourceClientId === tenant.client_id && i.putCode !== null)
      .map((i) => i.putCode!);
    const gone = await this.d.unitOfWork(async (repos) => {
      await repos.records.store(ref, read, changes, tenant.client_id);
      const gone = await repos.items.goneFromRecord(
        tenantId,
        link.person_id,
        link.orcid,
        ownPutCodes,
        readAt,
      );
      await repos.records.note(
        ref,
        gone.map((g) => ({
          kind: 'item.deleted_by_researcher',
          section: g.section,
          putCode: g.put_code === null ? null : Number(g.put_code),
          own: true,
          itemId: g.id,
        })),
      );
      return gone;
    });
    if (gone.length)
      this.d.logger.info(
        { tenantId, orcid: link.orcid, items: gone.length },
        'items deleted from the record by the researcher',
      );
    return { kind: 'changed', changes: changes.length, deletedByResearcher: gone.length };
  }
}
