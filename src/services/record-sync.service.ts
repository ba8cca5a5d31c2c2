// Synchronize: reads a connected record and brings the collected copy up to date. One ORCID call
// per read (GET /record: every section's summaries and their last-modified dates); an unchanged
// record (same last-modified date) costs that call and nothing else. What changed is noted in the
// change feed; an item the organisation wrote that is gone was deleted by the researcher, and is
// marked so at once (never written again). A revoked token ends the link; a deprecated record
// ends it too (the primary iD noted); a locked or deactivated one pauses writes until a read
// finds it again.

import { ORCID_ERROR } from '../../lib/orcid-model/error-codes.js';
import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type { ItemRepository } from '../db/item.repository.js';
import type { OrcidLink, OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { PersonRepository } from '../db/person.repository.js';
import type { UnitOfWork } from '../db/repositories.js';
import type { Tenant } from '../db/tenant.repository.js';
import { collectRecord, diffCollected } from '../domain/collected-record.js';
import type { Logger } from '../logger.js';
import { OrcidError } from '../orcid/errors.js';
import type { TokenResponse } from '../orcid/oauth.js';
import type { OrcidClients } from './orcid-clients.js';
import type { EventPublisher, ItemWriteQueue, ReconsentInviter, WebhookQueue } from './ports.js';
import { endRevokedLink } from './revoked-link.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface RecordSyncDeps {
  directory: TenantDirectory;
  links: OrcidLinkRepository;
  /** Where the organisation follows ORCID's published name (sync.followOrcidName). */
  people: PersonRepository;
  items: ItemRepository;
  records: CollectedRecordRepository;
  webhooks?: WebhookQueue;
  /** Items that waited for a locked record are written once it is available again. */
  writes: ItemWriteQueue;
  events?: EventPublisher;
  reconsent?: ReconsentInviter;
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
  /** Merged into a primary record: the link ended. */
  | { kind: 'deprecated'; primary: string | null }
  /** Locked, deactivated, or otherwise not readable now: noted on the link, writes paused. */
  | { kind: 'unavailable'; reason: string };

const READ_SCOPE = '/read-limited';

export class RecordSyncService {
  constructor(private readonly d: RecordSyncDeps) {}

  /**
   * The token reads use: the link's own /read-limited token, issued once from its refresh token
   * (SPEC 3.9, revoke_old=false) so that the token that can write is opened only to write; the
   * link's token where it has no refresh token or no /read-limited scope (then only what that
   * token may read is collected).
   */
  private async readToken(tenant: Tenant, linkId: string, scope: string): Promise<TokenResponse | null> {
    const kept = await this.d.links.readTokenOf(tenant.id, linkId);
    if (kept) return kept;
    const token = await this.d.links.tokenOf(tenant.id, linkId);
    if (!token?.refresh_token || !scope.split(/\s+/).includes(READ_SCOPE)) return token;
    try {
      const { oauth } = await this.d.orcid.for(tenant);
      const read = await oauth.refresh(token.refresh_token, { scope: READ_SCOPE, revokeOld: false });
      await this.d.links.setReadToken(tenant.id, linkId, read);
      return read;
    } catch (e) {
      if (e instanceof OrcidError && e.kind === 'transient') throw e;
      this.d.logger.warn(
        { tenantId: tenant.id, error: (e as Error).message },
        'no read token: reading with the link token',
      );
      return token;
    }
  }

  /** GET /record with the read token; a refused read token is dropped and the link's tried once. */
  private async readRecord(tenant: Tenant, link: OrcidLink): Promise<unknown> {
    const { api } = await this.d.orcid.for(tenant);
    const token = await this.readToken(tenant, link.id, link.scope);
    if (!token) throw new OrcidError('the link has no token', { kind: 'revoked' });
    try {
      return await api.record(token.access_token, link.orcid);
    } catch (e) {
      const own = await this.d.links.tokenOf(tenant.id, link.id);
      if (
        !(e instanceof OrcidError) ||
        e.kind !== 'revoked' ||
        !own ||
        own.access_token === token.access_token
      )
        throw e;
      await this.d.links.setReadToken(tenant.id, link.id, null);
      return api.record(own.access_token, link.orcid);
    }
  }

  /**
   * Reads the link's record and updates the copy. A transient failure (5xx, 503 over the rate
   * limit, a timeout) is thrown, for the job to try again later.
   */
  async sync(tenantId: string, linkId: string): Promise<SyncOutcome> {
    const tenant = await this.d.directory.byId(tenantId);
    const link = await this.d.links.byId(tenantId, linkId);
    if (!tenant || !link || link.status !== 'active') return { kind: 'inactive' };
    const ref = { tenantId, linkId, personId: link.person_id, orcid: link.orcid };

    const readAt = new Date();
    let document: unknown;
    try {
      document = await this.readRecord(tenant, link);
    } catch (e) {
      if (!(e instanceof OrcidError) || e.kind === 'transient') throw e;
      return this.unreadable(tenant, link, e);
    }
    if (link.record_state) await this.available(tenant, link);

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
    const name = changes.find((c) => c.kind !== 'removed' && c.item.section === 'name');
    if (name && name.kind !== 'removed' && tenant.sync_settings.followOrcidName) {
      const doc = name.item.document as {
        'given-names'?: { value?: string };
        'family-name'?: { value?: string };
      };
      const given = doc['given-names']?.value ?? null;
      if (given)
        await this.d.people.setNames(tenantId, link.person_id, given, doc['family-name']?.value ?? null);
    }
    if (changes.length)
      await this.d.events?.publish(
        tenantId,
        'record.changed',
        {
          orcid: link.orcid,
          sections: [...new Set(changes.map((c) => c.item.section))].sort(),
          changes: changes.slice(0, 1000).map((c) => ({
            kind: c.kind,
            section: c.item.section,
            putCode: /^\d+$/.test(c.item.key) ? Number(c.item.key) : null,
          })),
        },
        link.person_id,
      );
    for (const g of gone)
      await this.d.events?.publish(
        tenantId,
        'item.status_changed',
        {
          sourceKey: g.source_key,
          section: g.section,
          orcid: link.orcid,
          putCode: g.put_code === null ? null : Number(g.put_code),
          previousStatus: 'in_orcid',
          status: 'deleted_by_researcher',
        },
        link.person_id,
      );
    if (gone.length)
      this.d.logger.info(
        { tenantId, orcid: link.orcid, items: gone.length },
        'items deleted from the record by the researcher',
      );
    return { kind: 'changed', changes: changes.length, deletedByResearcher: gone.length };
  }

  /** What a refused read means for the link: revoked, deprecated, locked or deactivated. */
  private async unreadable(tenant: Tenant, link: OrcidLink, e: OrcidError): Promise<SyncOutcome> {
    const ref = { tenantId: tenant.id, linkId: link.id, personId: link.person_id, orcid: link.orcid };
    if (e.kind === 'revoked') {
      await endRevokedLink(this.d, tenant, link.id);
      return { kind: 'revoked' };
    }
    const paused = () =>
      this.d.items.setStatusForPerson(
        tenant.id,
        link.person_id,
        ['queued', 'retrying'],
        'record_unavailable',
      );
    if (
      e.kind === 'record_unavailable' &&
      (e.details.primaryOrcid || e.details.errorCode === ORCID_ERROR.DEPRECATED)
    ) {
      const primary = e.details.primaryOrcid;
      if (await this.d.links.markDeprecated(tenant.id, link.id, primary)) {
        await paused();
        await this.d.records.note(ref, [{ kind: 'link.deprecated', detail: { primaryOrcid: primary } }]);
        await this.d.reconsent?.inviteToPrimary(tenant.id, link.person_id);
        if (tenant.sync_settings.webhooks)
          await this.d.webhooks?.enqueueWebhook(tenant.id, link.id, 'unsubscribe');
      }
      return { kind: 'deprecated', primary };
    }
    const state =
      e.details.errorCode === ORCID_ERROR.LOCKED
        ? 'locked'
        : e.details.errorCode === ORCID_ERROR.DEACTIVATED
          ? 'deactivated'
          : null;
    if (state && (await this.d.links.setRecordState(tenant.id, link.id, state))) {
      await paused();
      await this.d.records.note(ref, [{ kind: 'link.unavailable', detail: { state } }]);
    } else if (!state && !link.sync_error)
      // The first time a record cannot be read for another reason, the feed says so.
      await this.d.records.note(ref, [{ kind: 'link.unavailable', detail: { reason: e.message } }]);
    await this.d.records.failed(tenant.id, link.id, e.message);
    return { kind: 'unavailable', reason: e.message };
  }

  /** A locked or deactivated record is readable again: writes resume. */
  private async available(tenant: Tenant, link: OrcidLink): Promise<void> {
    if (!(await this.d.links.setRecordState(tenant.id, link.id, null))) return;
    const resumed = await this.d.items.resumeForRecord(tenant.id, link.person_id);
    await this.d.records.note(
      { tenantId: tenant.id, linkId: link.id, personId: link.person_id, orcid: link.orcid },
      [{ kind: 'link.available', detail: { resumed: resumed.length } }],
    );
    await this.d.writes.enqueueWrites(tenant.id, resumed);
  }
}
