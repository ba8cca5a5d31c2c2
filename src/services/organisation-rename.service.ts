// An organisation renamed (an admin action): what it wrote under the old name stays true
// history, so every open affiliation that names the organisation by default is end-dated under
// the old name (PUT) and started again under the new one (POST, a new item), from the date of
// the rename. Affiliations already ended keep the old name. Everything is decided in one
// transaction; the writes are queued after it commits.
import type { UnitOfWork } from '../db/repositories.js';
import type { OrgIdentity } from '../db/tenant.repository.js';
import { fuzzyDate, withDefaultOrganisation } from '../domain/item.js';
import type { ItemWriteQueue } from './ports.js';
import { orgOf } from './write-item.service.js';

export interface RenameResult {
  ended: number;
  started: number;
  kept: number;
}

/** The source key of the affiliation continued under the new name. */
export const renamedKey = (sourceKey: string, effective: string) => `${sourceKey}~from-${effective}`;

function dayBefore(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** A fuzzy date as YYYY[-MM[-DD]] (for comparing with the rename date). */
function isoOf(date: unknown): string | null {
  const d = date as {
    year?: { value?: string };
    month?: { value?: string };
    day?: { value?: string };
  } | null;
  if (!d?.year?.value) return null;
  return [d.year.value, d.month?.value, d.day?.value].filter(Boolean).join('-');
}

export class OrganisationRenameService {
  constructor(private readonly d: { unitOfWork: UnitOfWork; writes: ItemWriteQueue }) {}

  async rename(
    tenantId: string,
    next: OrgIdentity & { name: string },
    effective: string,
    actor: string,
  ): Promise<RenameResult> {
    const now: string[] = [];
    const later: string[] = [];
    const result = await this.d.unitOfWork(async ({ tenants, items, links, portalLog }) => {
      // Serialises renames of one organisation.
      await tenants.lockForUpdate(tenantId);
      const tenant = await tenants.byId(tenantId);
      if (!tenant) throw new Error(`no tenant ${tenantId}`);
      const old = orgOf(tenant);
      const affected = await items.defaultOrganisationAffiliations(tenantId);
      const connected = new Map<string, boolean>();
      const r: RenameResult = { ended: 0, started: 0, kept: 0 };
      for (const item of affected) {
        const start = isoOf(item.payload['start-date']);
        // Starting on or after the rename: it is the new name's already.
        if (start && start >= effective) continue;
        if (!connected.has(item.person_id))
          connected.set(item.person_id, (await links.activeFor(tenantId, item.person_id)) !== undefined);
        const isConnected = connected.get(item.person_id)!;
        const pinned = withDefaultOrganisation(item.section, item.payload, old);
        const state = async (sourceKey: string, payload: Record<string, unknown>, to: string[]) => {
          const { item: stated, queued } = await items.upsert(
            tenantId,
            item.person_id,
            { section: item.section, sourceKey, payload, desired: 'present', groupId: item.group_id },
            isConnected,
          );
          if (queued) to.push(stated.id);
        };
        if (item.payload['end-date']) {
          await state(item.source_key, pinned, now);
          r.kept++;
          continue;
        }
        await state(item.source_key, { ...pinned, 'end-date': fuzzyDate(dayBefore(effective)) }, now);
        const { 'end-date': _end, ...continued } = item.payload;
        await state(
          renamedKey(item.source_key, effective),
          { ...continued, 'start-date': fuzzyDate(effective) },
          later,
        );
        r.ended++;
        r.started++;
      }
      await tenants.update(tenantId, { name: next.name, org: next });
      await portalLog.audit({
        tenantId,
        actor,
        action: 'organisation.renamed',
        subject: next.name,
        details: { from: old, to: next, effective, ...r },
      });
      return r;
    });
    await this.d.writes.enqueueWrites(tenantId, now);
    // Every process has dropped its copy of the tenant by the time a worker takes these: the
    // change was announced when the transaction committed (TenantDirectory).
    await this.d.writes.enqueueWrites(tenantId, later);
    return result;
  }
}
