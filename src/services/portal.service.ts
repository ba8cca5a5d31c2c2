// What the portal's pages read: the signed-in person, their page (their link, record summary and
// the organisation's items on it), and the organisation's public list of connected iDs.
import type { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import type { Person, PersonRepository } from '../db/person.repository.js';
import type { PortalView, PortalViewRepository } from '../db/portal-view.repository.js';

export class PortalService {
  constructor(
    private readonly d: { people: PersonRepository; links: OrcidLinkRepository; views: PortalViewRepository },
  ) {}

  person(tenantId: string, personId: string): Promise<Person | undefined> {
    return this.d.people.byId(tenantId, personId);
  }

  page(tenantId: string, personId: string): Promise<PortalView | null> {
    return this.d.views.forPerson(tenantId, personId);
  }

  /** The iD the person is connected with now ('' when none). */
  async currentOrcid(tenantId: string, personId: string): Promise<string> {
    return (await this.d.links.activeFor(tenantId, personId))?.orcid ?? '';
  }

  /** Connected iDs the organisation shows (all, or one person's by local id). */
  displayedIds(tenantId: string, options: { localId?: string; limit?: number } = {}) {
    return this.d.links.displayed(tenantId, options);
  }
}
