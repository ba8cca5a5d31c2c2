// What this client already has on a record, per section, for the write path's look-first: one
// read of the section serves every item of that person written by this process for a few
// seconds (a person's works used to be listed once per work, which made a bulk run quadratic).
// Our own creates and deletes keep it current. Another process's writes within that window are
// not seen: their duplicates are caught by ORCID (409 on the same external ids), which adopts;
// an entry gone stale by a researcher's deletion is noticed by the write (404) and re-read.
import type { JsonObject } from '../../lib/orcid-model/codec.js';
import type { OrcidApi } from '../orcid/api.js';

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

export class OwnItemsCache {
  private readonly entries = new Map<string, { at: number; byKey: Promise<Map<string, number>> }>();

  private static key(tenantId: string, orcid: string, section: string) {
    return `${tenantId} ${orcid} ${section}`;
  }

  /** This client's put code for an item like this one on the record, or null. */
  async find(
    api: OrcidApi,
    token: string,
    tenantId: string,
    orcid: string,
    section: string,
    item: JsonObject,
  ): Promise<number | null> {
    const keys = api.itemKeys(section, item);
    if (!keys.length) return null;
    const k = OwnItemsCache.key(tenantId, orcid, section);
    let hit = this.entries.get(k);
    if (!hit || Date.now() - hit.at > TTL_MS) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      hit = { at: Date.now(), byKey: api.ownItemsByKey(token, orcid, section) };
      const entry = hit;
      entry.byKey.catch(() => this.entries.get(k) === entry && this.entries.delete(k));
      this.entries.set(k, hit);
    }
    const byKey = await hit.byKey;
    for (const key of keys) {
      const putCode = byKey.get(key);
      if (putCode !== undefined) return putCode;
    }
    return null;
  }

  /** After this process wrote the item under `putCode`. */
  async remember(
    api: OrcidApi,
    tenantId: string,
    orcid: string,
    section: string,
    item: JsonObject,
    putCode: number,
  ) {
    const byKey = await this.entries
      .get(OwnItemsCache.key(tenantId, orcid, section))
      ?.byKey.catch(() => null);
    if (byKey) for (const key of api.itemKeys(section, item)) byKey.set(key, putCode);
  }

  /** The section is read again next time (an item left it, or an entry proved stale). */
  forget(tenantId: string, orcid: string, section: string) {
    this.entries.delete(OwnItemsCache.key(tenantId, orcid, section));
  }
}
