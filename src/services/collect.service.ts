// Collect, for the organisation's systems: its people with their links (never a token), one
// person's collected record by section, and the change feed a CRIS polls instead of receiving
// events. Cursors are opaque to callers.
import type {
  CollectedRecordRepository,
  LinkedPerson,
  RecordChangeRow,
} from '../db/collected-record.repository.js';
import type { PersonRepository } from '../db/person.repository.js';

export class UnknownCursor extends Error {}

const encode = (v: string) => Buffer.from(v, 'utf8').toString('base64url');
function decode(cursor: string): string {
  const v = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!v || encode(v) !== cursor) throw new UnknownCursor('not a cursor this API gave');
  return v;
}

export interface CollectDeps {
  people: PersonRepository;
  records: CollectedRecordRepository;
}

export class CollectService {
  constructor(private readonly d: CollectDeps) {}

  async people(
    tenantId: string,
    q: { cursor?: string; limit: number; status?: string; changedSince?: Date },
  ): Promise<{ people: LinkedPerson[]; next: string | null }> {
    const after = q.cursor ? decode(q.cursor) : null;
    const rows = await this.d.records.people(tenantId, { ...q, after, limit: q.limit + 1 });
    const people = rows.slice(0, q.limit);
    return {
      people,
      next: rows.length > q.limit ? encode(people[people.length - 1]!.local_id) : null,
    };
  }

  /** A person with their current link, and its collected record (undefined: no such person). */
  async record(tenantId: string, localId: string) {
    const person = await this.d.people.byLocalId(tenantId, localId);
    if (!person) return undefined;
    const [listed] = await this.d.records.people(tenantId, { after: null, limit: 1, personId: person.id });
    const items = listed?.link_id ? await this.d.records.items(tenantId, listed.link_id) : [];
    return { person: listed!, items };
  }

  /** Changes after the cursor, oldest first; `next` is where to go on from (the same when none). */
  async changes(
    tenantId: string,
    q: { cursor?: string; limit: number },
  ): Promise<{ changes: RecordChangeRow[]; next: string }> {
    const after = q.cursor ? decode(q.cursor) : '0';
    if (!/^\d+$/.test(after)) throw new UnknownCursor('not a cursor this API gave');
    const changes = await this.d.records.changesAfter(tenantId, after, q.limit);
    const last = changes[changes.length - 1];
    return { changes, next: encode(last ? last.id : after) };
  }
}
