// Brings one item's ORCID copy to its desired state: create (after looking for this client's
// own copy, so a crash between ORCID's answer and our commit never leads to a second copy),
// update only when the content changed, delete when absent. ORCID's answers become the item
// statuses of docs/api.md (Behaviour); nothing is retried blindly.
import type { JsonObject } from '../../lib/orcid-model/codec.js';
import type { CollectedRecordRepository } from '../db/collected-record.repository.js';
import type {
  ActiveLinkSealed,
  ClaimedItem,
  Item,
  ItemOutcome,
  ItemRepository,
} from '../db/item.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import {
  nextAction,
  type OrganisationIdentity,
  WRITE_RETRY,
  withDefaultOrganisation,
} from '../domain/item.js';
import type { Logger } from '../logger.js';
import { OrcidError } from '../orcid/errors.js';
import { redactKnown } from '../orcid/redact.js';
import type { OrcidClients } from './orcid-clients.js';
import { OwnItemsCache } from './own-items-cache.js';
import { PeerReviewGroups } from './peer-review-groups.js';
import type { EventPublisher, ReconsentInviter, WebhookQueue } from './ports.js';
import { endRevokedLink } from './revoked-link.js';
import type { TenantDirectory } from './tenant-directory.js';

export interface WriteItemDeps {
  /** Tenants as this process keeps them (changes arrive as they commit). */
  directory: TenantDirectory;
  items: ItemRepository;
  links: OrcidLinkRepository;
  /** The change feed notes a revocation the write path found. */
  records: CollectedRecordRepository;
  webhooks?: WebhookQueue;
  /** item.status_changed goes to the organisation's systems. */
  events?: EventPublisher;
  reconsent?: ReconsentInviter;
  orcid: OrcidClients;
  logger: Logger;
  /** How long an attempt may hold an item; a crashed worker's items are retried after it. */
  leaseMs?: number;
}

/** The organisation as the tenant's affiliations name it by default. */
export const orgOf = (t: Tenant): OrganisationIdentity => ({
  name: t.org_name ?? t.name,
  city: t.org_city,
  region: t.org_region,
  country: t.org_country,
  disambiguatedId: t.org_disambiguated_id,
  disambiguationSource: t.org_disambiguation_source,
});

/** POSTs of one item in one attempt, each after a look at the record found nothing. */
const POSTS_PER_ATTEMPT = 3;

/** Longer than any attempt can take (transport timeouts and retries included). */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

export class WriteItemService {
  private readonly groups: PeerReviewGroups;
  private readonly own = new OwnItemsCache();

  constructor(private readonly d: WriteItemDeps) {
    this.groups = new PeerReviewGroups(d.directory);
  }

  private tenant(id: string): Promise<Tenant | undefined> {
    return this.d.directory.byId(id);
  }

  /**
   * One attempt. `finalAttempt`: a transient failure is final (`failed`) instead of `retrying`.
   * Returns what happened (null when the item does not exist).
   */
  async write(
    tenantId: string,
    itemId: string,
    options: { finalAttempt?: boolean } = {},
  ): Promise<ItemOutcome | null> {
    const [result] = await this.writeMany([
      { tenantId, itemId, finalAttempt: options.finalAttempt ?? false },
    ]);
    if (result instanceof Error) throw result;
    return result ?? null;
  }

  /**
   * One attempt at each of these items (tests and direct calls): claimed together, then written as
   * writeClaimed does. Per item: what happened, null when it does not exist, `busy` when another
   * worker holds it right now, or the error that was not an answer from ORCID.
   */
  async writeMany(
    jobs: Array<{ tenantId: string; itemId: string; finalAttempt: boolean }>,
  ): Promise<Array<ItemOutcome | null | Error>> {
    const results: Array<ItemOutcome | null | Error> = new Array(jobs.length).fill(null);
    const byTenant = new Map<string, number[]>();
    for (const [i, j] of jobs.entries()) {
      const indexes = byTenant.get(j.tenantId) ?? [];
      indexes.push(i);
      byTenant.set(j.tenantId, indexes);
    }
    await Promise.all(
      [...byTenant].map(async ([tenantId, indexes]) => {
        if (!(await this.tenant(tenantId))) return;
        const claimed = await this.d.items.claimMany(
          tenantId,
          indexes.map((i) => jobs[i]!.itemId),
          this.d.leaseMs ?? DEFAULT_LEASE_MS,
        );
        const final = new Set(indexes.filter((i) => jobs[i]!.finalAttempt).map((i) => jobs[i]!.itemId));
        const outcomes = await this.writeClaimed(tenantId, claimed, final);
        const byItem = new Map(claimed.map((c, k) => [c.item.id, outcomes[k]!]));
        await Promise.all(
          indexes.map(async (i) => {
            const outcome = byItem.get(jobs[i]!.itemId);
            if (outcome) results[i] = outcome;
            else {
              const item = await this.d.items.byId(tenantId, jobs[i]!.itemId);
              results[i] = item ? { status: item.status, action: 'busy' } : null;
            }
          }),
        );
      }),
    );
    return results;
  }

  /**
   * One attempt at each item this worker holds the lease of (the scheduler's claim): written to
   * ORCID concurrently, recorded together in one statement. The attempt after the last retry
   * (WRITE_RETRY), or one named in `final`, ends `failed` on a transient failure. Per item: what
   * happened, or the error that was not an answer from ORCID (a database or programming error; its
   * lease is given back and it is tried again a few seconds later).
   */
  async writeClaimed(
    tenantId: string,
    claimed: ClaimedItem[],
    final: ReadonlySet<string> = new Set(),
  ): Promise<Array<ItemOutcome | Error>> {
    const results: Array<ItemOutcome | Error> = [];
    const tenant = await this.tenant(tenantId);
    if (!tenant) return claimed.map(() => new Error(`tenant ${tenantId} is gone`));
    const claimedAt = Date.now();
    const done: Array<{ item: Item; lease: string; outcome: ItemOutcome }> = [];
    const revokedLinks = new Set<string>();
    await Promise.all(
      claimed.map(async (c, k) => {
        const finalAttempt = final.has(c.item.id) || c.item.retries >= WRITE_RETRY.limit;
        try {
          const outcome = await this.attempt(tenant, c.item, c.link, { finalAttempt, claimedAt }, (id) =>
            revokedLinks.add(id),
          );
          done.push({ item: c.item, lease: c.lease, outcome });
          results[k] = outcome;
        } catch (e) {
          await this.d.items.release(tenantId, c.item.id, c.lease);
          results[k] = e instanceof Error ? e : new Error(String(e));
        }
      }),
    );
    await this.d.items.finishMany(tenantId, done);
    for (const { item, outcome } of done)
      if (outcome.status !== item.status)
        await this.d.events?.publish(
          tenantId,
          'item.status_changed',
          {
            sourceKey: item.source_key,
            section: item.section,
            orcid: outcome.orcid ?? item.put_code_orcid,
            putCode:
              outcome.putCode !== undefined
                ? outcome.putCode
                : item.put_code === null
                  ? null
                  : Number(item.put_code),
            previousStatus: item.status,
            status: outcome.status,
            detail: outcome.detail ?? null,
          },
          item.person_id,
        );
    for (const linkId of revokedLinks) await this.onRevoked(tenant, linkId);
    return results;
  }

  private async attempt(
    tenant: Tenant,
    item: Item,
    sealedLink: ActiveLinkSealed | null,
    options: { finalAttempt?: boolean; claimedAt: number },
    onRevoked: (linkId: string) => void,
  ): Promise<ItemOutcome> {
    const tenantId = tenant.id;
    // A put code names an item on one record: after the person connected another iD, the item
    // is created on the new record (and nothing of the old one is touched).
    const onThisRecord =
      item.put_code === null ||
      sealedLink === null ||
      (item.put_code_orcid ?? sealedLink.orcid) === sealedLink.orcid;
    const state = onThisRecord ? item : { ...item, put_code: null, written_hash: null };
    const action = nextAction(state);
    if (action === 'none') {
      if (item.status === 'deleted_by_researcher') return { status: item.status, action };
      return { status: item.desired_state === 'absent' ? 'deleted' : 'in_orcid', action };
    }
    // No link: it waits for the person to connect, or stays stopped if they revoked our access.
    if (!sealedLink) return { status: item.status === 'revoked' ? 'revoked' : 'pending', action: 'none' };
    // Locked or deactivated at ORCID: nothing can be written until a read finds it again.
    if (sealedLink.recordState)
      return {
        status: 'record_unavailable',
        action: 'none',
        detail: `The ORCID record is ${sealedLink.recordState}: writes resume once it is available again.`,
      };
    const link = sealedLink;
    const token = this.d.links.openToken(link.id, link.tokenSealed);
    const client = await this.d.orcid.for(tenant);
    const { api } = client;
    const payload = withDefaultOrganisation(item.section, item.payload, orgOf(tenant)) as JsonObject;
    const putCode = state.put_code === null ? null : Number(state.put_code);
    const at = { tenantId, orcid: link.orcid, section: item.section, itemId: item.id };
    const written = { orcid: link.orcid, writtenHash: item.content_hash };
    /** This client's copy of the item on the record, not held by another of the organisation's items. */
    const ownCopy = async (readAfter: number): Promise<number | null> => {
      const candidates = await this.own.candidates(api, token.access_token, at, payload, { readAfter });
      if (!candidates.length) return null;
      const held = await this.d.items.heldByOtherItems(
        tenantId,
        link.orcid,
        item.section,
        candidates,
        item.id,
      );
      return candidates.find((pc) => !held.has(pc)) ?? null;
    };
    const adopt = async (own: number): Promise<ItemOutcome | null> => {
      // Ours already (an earlier attempt reached ORCID): adopt it and make it say what we say.
      try {
        await api.update(token.access_token, link.orcid, item.section, own, payload);
        await this.own.remember(api, at, payload, own);
        return { status: 'in_orcid', action: 'adopt', putCode: own, ...written };
      } catch (e) {
        // Gone since the section was read: it is not ours to adopt.
        if (!(e instanceof OrcidError && e.kind === 'not_found')) throw e;
        this.own.forget(tenantId, link.orcid, item.section);
        return null;
      }
    };
    try {
      if (item.section === 'peer-review' && action !== 'delete') {
        const groupId = item.group_id ?? (payload['review-group-id'] as string | undefined);
        if (groupId) {
          await this.groups.ensure(tenant, client, groupId);
          payload['review-group-id'] = groupId;
        }
      }
      if (action === 'delete') {
        await api.delete(token.access_token, link.orcid, item.section, putCode!);
        this.own.forget(tenantId, link.orcid, item.section);
        return { status: 'deleted', action, putCode: null, writtenHash: null };
      }
      if (action === 'update') {
        await api.update(token.access_token, link.orcid, item.section, putCode!, payload);
        return { status: 'in_orcid', action, ...written };
      }
      // An earlier attempt may have posted it (its answer lost, or its worker killed before
      // recording it): the record is read afresh, not from what this process read before.
      const own = await ownCopy(item.claims > 1 ? options.claimedAt : 0);
      if (own !== null) {
        const adopted = await adopt(own);
        if (adopted) return adopted;
      }
      let created: { putCode: number; adopted: boolean } | null = null;
      for (let post = 1; created === null; post++) {
        try {
          created = await api.createOrAdopt(token.access_token, link.orcid, item.section, payload);
        } catch (e) {
          // The POST's answer was lost: ORCID may have stored it. Look again before anything
          // posts it a second time. After an answer (5xx: ORCID finished with the request) and
          // nothing on the record, it is posted again at once, a few times; after a timeout or a
          // dropped connection ORCID may still be handling it, so the job retries it later.
          if (!(e instanceof OrcidError && e.kind === 'transient')) throw e;
          this.own.forget(tenantId, link.orcid, item.section);
          const looked = await ownCopy(Date.now()).then(
            (putCode) => ({ putCode }),
            () => null,
          );
          if (looked?.putCode != null) {
            const adopted = await adopt(looked.putCode).catch(() => null);
            if (adopted) return adopted;
          }
          // Posted again only when the look said for sure that it is not there.
          if (looked?.putCode !== null || e.details.status === null || post >= POSTS_PER_ATTEMPT) throw e;
        }
      }
      await this.own.remember(api, at, payload, created.putCode);
      if (created.adopted)
        await api.update(token.access_token, link.orcid, item.section, created.putCode, payload);
      return {
        status: 'in_orcid',
        action: created.adopted ? 'adopt' : 'create',
        putCode: created.putCode,
        ...written,
      };
    } catch (e) {
      if (!(e instanceof OrcidError)) throw e;
      const base = {
        action,
        detail: redactKnown(e.details.userMessage ?? e.details.developerMessage ?? e.message, [
          token.access_token,
          token.refresh_token,
        ]),
        httpStatus: e.details.status,
        errorCode: e.details.errorCode,
      };
      if (e.kind === 'not_found')
        // Gone already: a deletion is done; anything else was removed by the researcher.
        return action === 'delete'
          ? { ...base, status: 'deleted', putCode: null, writtenHash: null }
          : { ...base, status: 'deleted_by_researcher' };
      if (e.kind === 'revoked') {
        onRevoked(link.id);
        return { ...base, status: 'revoked' };
      }
      if (e.kind === 'transient') return { ...base, status: options.finalAttempt ? 'failed' : 'retrying' };
      return { ...base, status: e.itemStatus };
    }
  }

  /** The researcher revoked our access: the link ends and none of their items is tried again. */
  private async onRevoked(tenant: Tenant, linkId: string): Promise<void> {
    await endRevokedLink(this.d, tenant, linkId);
  }
}
