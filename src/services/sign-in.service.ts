// Institutional sign-in's use of the database: the person the identity provider's attributes
// describe, the institution's OIDC client secret, the person an ORCID iD signs in, and the audit
// of every sign-in.
import type { OrcidLink, OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Person, PersonRepository } from '../db/person.repository.js';
import type { PortalLogRepository } from '../db/portal-log.repository.js';
import type { TenantRepository } from '../db/tenant.repository.js';
import type { PersonAttributes } from '../domain/tenant.js';

export class SignInService {
  constructor(
    private readonly d: {
      people: PersonRepository;
      tenants: TenantRepository;
      links: OrcidLinkRepository;
      log: PortalLogRepository;
    },
  ) {}

  /** Created on first sign-in, refreshed after; null when the attributes name nobody. */
  personFromSignIn(tenantId: string, attributes: PersonAttributes): Promise<Person | null> {
    return this.d.people.upsertFromSignIn(tenantId, attributes);
  }

  oidcClientSecret(tenantId: string): Promise<string | null> {
    return this.d.tenants.oidcClientSecret(tenantId);
  }

  /** The active link of an iD (Sign in with ORCID signs its person in). */
  linkOfOrcid(tenantId: string, orcid: string): Promise<OrcidLink | undefined> {
    return this.d.links.activeByOrcid(tenantId, orcid);
  }

  async recordSignIn(tenantId: string, personId: string, method: string): Promise<void> {
    await this.d.log.audit({ tenantId, actor: `person:${personId}`, action: 'sign-in', details: { method } });
  }
}
