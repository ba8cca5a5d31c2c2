// People known to an organisation. Every query is scoped by tenant.
import { type Kysely, type Selectable, sql } from 'kysely';
import { localIdOf, type PersonAttributes } from '../domain/tenant.js';
import type { Database, PeopleTable } from './schema.js';

export type Person = Selectable<PeopleTable>;

export class PersonRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The person these sign-in attributes describe, created on first sign-in and refreshed with
   * what the identity provider says now. Null when the attributes carry no usable local id.
   */
  async upsertFromSignIn(tenantId: string, a: PersonAttributes): Promise<Person | null> {
    const localId = localIdOf(a);
    if (!localId) return null;
    const values = {
      email: a.email?.trim().toLowerCase() || null,
      eppn: a.eppn?.trim().toLowerCase() || null,
      employee_id: a.employeeId?.trim() || null,
      given_names: a.givenNames?.trim() || null,
      family_name: a.familyName?.trim() || null,
    };
    return this.db
      .insertInto('people')
      .values({ tenant_id: tenantId, local_id: localId, ...values })
      .onConflict((oc) =>
        oc.constraint('people_tenant_local_id').doUpdateSet((eb) => ({
          // Attributes the IdP did not send keep their stored value.
          email: eb.fn.coalesce(eb.val(values.email), 'people.email'),
          eppn: eb.fn.coalesce(eb.val(values.eppn), 'people.eppn'),
          employee_id: eb.fn.coalesce(eb.val(values.employee_id), 'people.employee_id'),
          given_names: eb.fn.coalesce(eb.val(values.given_names), 'people.given_names'),
          family_name: eb.fn.coalesce(eb.val(values.family_name), 'people.family_name'),
          updated_at: new Date(),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  byId(tenantId: string, id: string): Promise<Person | undefined> {
    return this.db
      .selectFrom('people')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  byLocalId(tenantId: string, localId: string): Promise<Person | undefined> {
    return this.db
      .selectFrom('people')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('local_id', '=', localId)
      .executeTakeFirst();
  }

  /** The organisation's systems state a person by their local id (REST API, uploads). */
  /**
   * Creates or updates the person by local id. A field left out keeps its value, null clears it;
   * an employment, when given, is stated whole (status, start and end together).
   */
  /** The person's name as their ORCID record publishes it (where the organisation follows it). */
  async setNames(tenantId: string, personId: string, givenNames: string | null, familyName: string | null) {
    await this.db
      .updateTable('people')
      .set({ given_names: givenNames, family_name: familyName, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', personId)
      .execute();
  }

  /**
   * Deletes the person and everything held about them: their links and tokens, items and their
   * history, invitations, collected record and change feed (by the keys' cascades and migration
   * 0021), the ORCID calls made for their iDs, the authorization attempts that name them, and the mail sent
   * to them. Answers what went, in
   * counts (nothing that names them), or null when the organisation has no such person.
   */
  async erase(
    tenantId: string,
    personId: string,
  ): Promise<{ links: number; items: number; calls: number; mails: number; authorizations: number } | null> {
    const { rows } = await sql<{
      links: number;
      items: number;
      calls: number;
      mails: number;
      authorizations: number;
    }>`
      with person as (
        select id, email from people where tenant_id = ${tenantId} and id = ${personId}
      ), ids as (
        select distinct orcid from orcid_links where tenant_id = ${tenantId} and person_id = ${personId}
      ), calls as (
        delete from orcid_calls c using ids where c.tenant_id = ${tenantId} and c.orcid = ids.orcid returning 1
      ), authorizations as (
        -- Kept with the person's id cleared by the key; they name the iD.
        delete from orcid_authorizations a where a.tenant_id = ${tenantId}
          and (a.person_id = ${personId} or a.orcid in (select orcid from ids)) returning 1
      ), mails as (
        delete from mail_outbox m using person where m.tenant_id = ${tenantId} and m.to_address = person.email returning 1
      )
      select (select count(*) from orcid_links where tenant_id = ${tenantId} and person_id = ${personId})::int as links,
        (select count(*) from items where tenant_id = ${tenantId} and person_id = ${personId})::int as items,
        (select count(*) from calls)::int as calls, (select count(*) from mails)::int as mails,
        (select count(*) from authorizations)::int as authorizations
      from person`.execute(this.db);
    if (!rows[0]) return null;
    await this.db.deleteFrom('people').where('tenant_id', '=', tenantId).where('id', '=', personId).execute();
    return rows[0];
  }

  upsertByLocalId(tenantId: string, localId: string, p: PersonRecord): Promise<Person> {
    const given = <T>(v: T | null | undefined, f: (x: T) => string | null) =>
      v === undefined ? undefined : v === null ? null : f(v);
    const values = Object.fromEntries(
      Object.entries({
        email: given(p.email, (v) => v.trim().toLowerCase()),
        eppn: given(p.eppn, (v) => v.trim().toLowerCase()),
        employee_id: given(p.employeeId, (v) => v.trim()),
        given_names: given(p.givenNames, (v) => v.trim()),
        family_name: given(p.familyName, (v) => v.trim()),
        ...(p.employment
          ? {
              employment_status: p.employment.status,
              employment_start: p.employment.start ?? null,
              employment_end: p.employment.end ?? null,
            }
          : {}),
      }).filter(([, v]) => v !== undefined),
    ) as Partial<Record<'email' | 'eppn' | 'employee_id' | 'given_names' | 'family_name', string | null>> & {
      employment_status?: 'current' | 'left';
      employment_start?: string | null;
      employment_end?: string | null;
    };
    return this.db
      .insertInto('people')
      .values({ tenant_id: tenantId, local_id: localId, ...values })
      .onConflict((oc) =>
        oc.constraint('people_tenant_local_id').doUpdateSet({ ...values, updated_at: new Date() }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

/** A person as the organisation's HR or CRIS states them. */
export interface PersonRecord {
  email?: string | null;
  eppn?: string | null;
  employeeId?: string | null;
  givenNames?: string | null;
  familyName?: string | null;
  employment?: { status: 'current' | 'left'; start?: string; end?: string };
}
