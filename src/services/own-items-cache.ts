// What this client already has on a record, per section, for the write path's look-first: one
// read of the section serves every item of that person written by this process for a few
// seconds (a person's works used to be listed once per work, which made a bulk run quadratic).
// Our own creates and deletes keep it current, and each put code this process created is
// remembered with the item it was created for, so that another item with the same content
// never adopts it. What another process wrote within that window is not seen; a write whose
// earlier attempt may have reached ORCID therefore asks for a read made after it took the item.
import { LRUCache } from 'lru-cache';
import type { JsonObject } from '../../lib/orcid-model/codec.js';
import type { OrcidApi } from '../orcid/api.js';

const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  byKey: Promise<Map<string, number[]>>;
}

export class OwnItemsCache {
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES });
  /** Put codes this process created (section key + put code), and for which item. */
  private readonly createdFor = new LRUCache<string, string>({ max: MAX_ENTRIES * 10 });

  private static key(tenantId: string, orcid: string, section: string) {
    return `${tenantId} ${orcid} ${section}`;
  }

  /**
   * This client's items on the record that are this item (same keys), oldest first, leaving out
   * those this process created for another item. Empty when nothing can name the item.
   */
  async candidates(
    api: OrcidApi,
    token: string,
    at: { tenantId: string; orcid: string; section: string; itemId: string },
    item: JsonObject,
    options: { readAfter?: number } = {},
  ): Promise<number[]> {
    const keys = api.itemKeys(at.section, item);
    if (!keys.length) return [];
    const k = OwnItemsCache.key(at.tenantId, at.orcid, at.section);
    let hit = this.entries.get(k);
    // `readAfter`: only a read started at or after that moment will do (one such read still
    // serves every item of the person that asks for it, e.g. a batch claimed after a crash).
    const stale = (e: Entry) => Date.now() - e.at > TTL_MS || (options.readAfter ?? 0) > e.at;
    if (!hit || stale(hit)) {
      const entry: Entry = {
        at: Date.now(),
        byKey: api.ownItemsByKey(token, at.orcid, at.section),
      };
      entry.byKey.catch(() => this.entries.get(k) === entry && this.entries.delete(k));
      this.entries.set(k, entry);
      hit = entry;
    }
    const byKey = await hit.byKey;
    const found = new Set<number>();
    for (const key of keys) for (const putCode of byKey.get(key) ?? []) found.add(putCode);
    return [...found].filter((pc) => (this.createdFor.get(`${k} ${pc}`) ?? at.itemId) === at.itemId);
  }

  /** After this process wrote the item under `putCode`. */
  async remember(
    api: OrcidApi,
    at: { tenantId: string; orcid: string; section: string; itemId: string },
    item: JsonObject,
    putCode: number,
  ) {
    const k = OwnItemsCache.key(at.tenantId, at.orcid, at.section);
    this.createdFor.set(`${k} ${putCode}`, at.itemId);
    const entry = this.entries.get(k);
    if (!entry) return;
    const byKey = await entry.byKey.catch(() => null);
    if (!byKey) return;
    for (const key of api.itemKeys(at.section, item)) {
      const codes = byKey.get(key) ?? [];
      if (!codes.includes(putCode)) codes.push(putCode);
      byKey.set(key, codes);
    }
  }

  /** The section is read again next time (an item left it, or an entry proved stale). */
  forget(tenantId: string, orcid: string, section: string) {
    this.entries.delete(OwnItemsCache.key(tenantId, orcid, section));
  }
}
