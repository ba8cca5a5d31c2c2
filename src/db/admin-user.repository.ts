// Organisation administrators: people (by the local id institutional sign-in gives them) who
// hold the admin role of one tenant. Every query is scoped by tenant.
import type { Kysely, Selectable } from 'kysely';
import type { AdminUsersTable, Database } from './schema.js';

export type AdminUser = Selectable<AdminUsersTable>;

export class AdminUserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async grant(tenantId: string, localId: string, grantedBy: string): Promise<void> {
    await this.db
      .insertInto('admin_users')
      .values({ tenant_id: tenantId, local_id: localId, role: 'admin', granted_by: grantedBy })
      .onConflict((oc) => oc.constraint('admin_users_pk').doNothing())
      .execute();
  }

  /** True when a role was taken away. */
  async revoke(tenantId: string, localId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('admin_users')
      .where('tenant_id', '=', tenantId)
      .where('local_id', '=', localId)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /**
   * By local id; or by the person's e-mail for a role given through an invitation mailed to that
   * address (the invitee then signs in through the organisation's own sign-in, which may name
   * them by an employee id).
   */
  async isAdmin(tenantId: string, localId: string, email: string | null = null): Promise<boolean> {
    const row = await this.db
      .selectFrom('admin_users')
      .select('local_id')
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        email
          ? eb.or([
              eb('local_id', '=', localId),
              eb.and([eb('local_id', '=', email.toLowerCase()), eb('granted_by', 'like', 'invitation:%')]),
            ])
          : eb('local_id', '=', localId),
      )
      .executeTakeFirst();
    return row !== undefined;
  }

  list(tenantId: string): Promise<AdminUser[]> {
    return this.db
      .selectFrom('admin_users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('local_id')
      .execute();
  }
}
