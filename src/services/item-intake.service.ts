// What the organisation's systems state (REST API, uploads): people by local id, and items by
// source key. Stating the same thing twice changes nothing; items of connected people are
// queued for writing at once, the others wait as `pending`.
import { type Item, ItemOfAnotherPerson, type ItemRepository } from '../db/item.repository.js';
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Person, PersonRecord, PersonRepository } from '../db/person.repository.js';
import type { TenantRepository } from '../db/tenant.repository.js';
import { fuzzyDate } from '../domain/item.js';
import type { ItemWriteQueue } from './ports.js';

export interface ItemIntakeDeps {
  tenants: TenantRepository;
  people: PersonRepository;
  items: ItemRepository;
  links: OrcidLinkRepository;
  writes: ItemWriteQueue;
  /** People whose items wait for them to connect are invited (once). */
  invitations?: PersonInviter;
}

export interface PersonInviter {
  invite(tenantId: string, personIds: string[]): Promise<void>;
}

export class UnknownPerson extends Error {}

export class ItemIntakeService {
  constructor(private readonly d: ItemIntakeDeps) {}

  /**
   * Creates or updates the person. When HR says they left (with an end date), every employment
   * the organisation states for them without an end date gets that end date (written by PUT).
   */
  async statePerson(tenantId: string, localId: string, record: PersonRecord): Promise<Person> {
    const person = await this.d.people.upsertByLocalId(tenantId, localId, record);
    const end = record.employment?.status === 'left' ? record.employment.end : undefined;
    if (end) await this.endEmployments(tenantId, person, end);
    return person;
  }

  private async endEmployments(tenantId: string, person: Person, end: string): Promise<void> {
    const connected = (await this.d.links.activeFor(tenantId, person.id)) !== undefined;
    const queued: string[] = [];
    for (const item of await this.d.items.forPerson(tenantId, person.id)) {
      if (item.section !== 'employment' || item.desired_state !== 'present' || item.payload['end-date'])
        continue;
      const r = await this.d.items.upsert(
        tenantId,
        person.id,
        {
          section: item.section,
          sourceKey: item.source_key,
          payload: { ...item.payload, 'end-date': fuzzyDate(end) },
          desired: 'present',
          groupId: item.group_id,
        },
        connected,
      );
      if (r.queued) queued.push(r.item.id);
    }
    await this.d.writes.enqueueWrites(tenantId, queued);
  }

  private async person(tenantId: string, localId: string): Promise<Person> {
    const person = await this.d.people.byLocalId(tenantId, localId);
    if (!person) throw new UnknownPerson(`no person with local id ${localId}`);
    return person;
  }

  async stateItem(
    tenantId: string,
    localId: string,
    input: { section: string; sourceKey: string; payload: Record<string, unknown>; groupId?: string },
    desired: 'present' | 'absent' = 'present',
  ): Promise<Item> {
    const person = await this.person(tenantId, localId);
    const existing = await this.d.items.bySourceKey(tenantId, input.sourceKey);
    if (existing && existing.person_id !== person.id)
      throw new UnknownPerson(`item ${input.sourceKey} belongs to another person`);
    const connected = (await this.d.links.activeFor(tenantId, person.id)) !== undefined;
    const { item, queued } = await this.d.items
      .upsert(tenantId, person.id, { ...input, desired }, connected)
      .catch((e: unknown) => {
        // Another request stated the key for someone else between the check above and the write.
        throw e instanceof ItemOfAnotherPerson ? new UnknownPerson(e.message) : e;
      });
    if (queued) await this.d.writes.enqueueWrites(tenantId, [item.id]);
    else if (item.status === 'pending') await this.d.invitations?.invite(tenantId, [person.id]);
    return item;
  }

  /**
   * Tries again an item that failed, was refused, waits for a retry or for a locked record (once
   * its data or the record was fixed): written ahead of the organisation's other queued writes.
   * Null when there is no such item; `retried` false when it is in no such status.
   */
  async retryItem(tenantId: string, sourceKey: string): Promise<{ item: Item; retried: boolean } | null> {
    const item = await this.d.items.bySourceKey(tenantId, sourceKey);
    if (!item) return null;
    const retried = await this.d.items.retryNow(tenantId, item.id);
    if (retried) await this.d.writes.enqueueWrites(tenantId, [item.id]);
    return { item: (await this.d.items.bySourceKey(tenantId, sourceKey)) ?? item, retried };
  }

  /** The item should no longer be on the record (it is deleted there, if it was written). */
  async withdrawItem(tenantId: string, sourceKey: string): Promise<Item | null> {
    const item = await this.d.items.bySourceKey(tenantId, sourceKey);
    if (!item) return null;
    const connected = (await this.d.links.activeFor(tenantId, item.person_id)) !== undefined;
    const r = await this.d.items.upsert(
      tenantId,
      item.person_id,
      { section: item.section, sourceKey, payload: item.payload, desired: 'absent', groupId: item.group_id },
      connected,
    );
    if (r.queued) await this.d.writes.enqueueWrites(tenantId, [r.item.id]);
    return r.item;
  }

  /**
   * On connect (tenant setting employmentOnConnect): the employment HR states for the person
   * (people.employment_*), once; its later changes arrive as person updates (leavers) or items.
   */
  async stateHrEmployment(tenantId: string, personId: string): Promise<Item | null> {
    const person = await this.d.people.byId(tenantId, personId);
    if (!person?.employment_status) return null;
    const sourceKey = `hr-employment:${person.local_id}`;
    const existing = await this.d.items.bySourceKey(tenantId, sourceKey);
    if (existing) return existing;
    const payload: Record<string, unknown> = {};
    if (person.employment_start) payload['start-date'] = fuzzyDate(person.employment_start);
    if (person.employment_status === 'left' && person.employment_end)
      payload['end-date'] = fuzzyDate(person.employment_end);
    return this.stateItem(tenantId, person.local_id, { section: 'employment', sourceKey, payload });
  }

  /**
   * A person now holds a valid link to `orcid`: the employment HR states is added (when the
   * organisation wants it), and what waited for them is queued, including what is on an earlier
   * record of theirs when the iD is another than before.
   */
  async onConnected(tenantId: string, personId: string, orcid: string): Promise<void> {
    if ((await this.d.tenants.byId(tenantId))?.employment_on_connect)
      await this.stateHrEmployment(tenantId, personId);
    const waiting = await this.d.items.setStatusForPerson(
      tenantId,
      personId,
      ['pending', 'revoked'],
      'queued',
    );
    const moved = await this.d.items.queueForNewRecord(tenantId, personId, orcid);
    await this.d.writes.enqueueWrites(tenantId, [...waiting, ...moved]);
  }

  item(tenantId: string, sourceKey: string): Promise<Item | undefined> {
    return this.d.items.bySourceKey(tenantId, sourceKey);
  }

  async personItems(tenantId: string, localId: string): Promise<Item[]> {
    return this.d.items.forPerson(tenantId, (await this.person(tenantId, localId)).id);
  }
}
