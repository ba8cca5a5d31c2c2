// Who administers an organisation: the people LANYARD_ADMINS names ("slug:local-id") and those
// `lanyard admin grant` made administrators, and those who accepted an invitation by mail.
import type { AdminUserRepository } from '../db/admin-user.repository.js';
import type { Person } from '../db/person.repository.js';
import type { Tenant } from '../db/tenant.repository.js';

export class AdminAccessService {
  constructor(
    private readonly admins: AdminUserRepository,
    private readonly configured: readonly string[],
  ) {}

  async isAdmin(tenant: Tenant, person: Person): Promise<boolean> {
    return (
      this.configured.includes(`${tenant.slug}:${person.local_id}`) ||
      this.admins.isAdmin(tenant.id, person.local_id, person.email)
    );
  }
}
