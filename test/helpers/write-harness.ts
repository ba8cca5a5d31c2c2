// The write path on its own, for tests that drive WriteItemService directly: a fresh database,
// the service with a fast ORCID transport, and organisations each with a person connected
// through ORCID's OAuth (approved headlessly in the simulator).
import { randomBytes } from 'node:crypto';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { ItemRepository } from '../../src/db/item.repository.js';
import { OrcidLinkRepository } from '../../src/db/orcid-link.repository.js';
import { PersonRepository } from '../../src/db/person.repository.js';
import { type Tenant, TenantRepository } from '../../src/db/tenant.repository.js';
import { createLogger } from '../../src/logger.js';
import type { TransportOptions } from '../../src/orcid/transport.js';
import { OrcidClients } from '../../src/services/orcid-clients.js';
import { WriteItemService } from '../../src/services/write-item.service.js';
import { freshDatabase, type TestDatabase } from './database.js';
import { tenantInput } from './fixtures.js';
import { clientItems, newClient, newResearcher, threeLegged } from './sandbox.js';

export interface Connected {
  tenant: Tenant;
  client: { clientId: string; clientSecret: string };
  personId: string;
  orcidId: string;
  token: string;
}

export interface WriteHarness {
  tdb: TestDatabase;
  ring: KeyRing;
  items: ItemRepository;
  service: WriteItemService;
  /** A new organisation (Wakanda University, ROR-identified) with one connected person. */
  connected(wireFormat?: 'json' | 'xml'): Promise<Connected>;
  /** The organisation's items in one section of the person's record, as the simulator holds them. */
  inOrcid(s: Connected, section: string): ReturnType<typeof clientItems>;
  close(): Promise<void>;
}

let n = 0;

export async function startWriteHarness(
  sandboxBase: string,
  transport: TransportOptions,
): Promise<WriteHarness> {
  const tdb = await freshDatabase();
  const ring = new KeyRing([{ id: 'w', key: randomBytes(32) }]);
  const tenants = new TenantRepository(tdb.db, ring);
  const logger = createLogger('silent');
  const orcid = new OrcidClients(tdb.db, tenants, { localOrcidUrl: sandboxBase, logger, transport });
  const items = new ItemRepository(tdb.db);
  const links = new OrcidLinkRepository(tdb.db, ring);
  const service = new WriteItemService({ tenants, items, links, orcid, logger });
  return {
    tdb,
    ring,
    items,
    service,
    async connected(wireFormat = 'json') {
      n++;
      const client = await newClient(sandboxBase);
      const tenant = await tenants.create(
        tenantInput(n, client.clientSecret, {
          clientId: client.clientId,
          wireFormat,
          org: {
            name: 'Wakanda University',
            city: 'Birnin Zana',
            country: 'NZ',
            disambiguatedId: 'https://ror.org/04vwd8k31',
            disambiguationSource: 'ROR',
          },
        }),
      );
      const person = (await new PersonRepository(tdb.db).upsertFromSignIn(tenant.id, {
        employeeId: `E${n}`,
      }))!;
      const researcher = await newResearcher(sandboxBase);
      const token = await threeLegged(sandboxBase, client, researcher.orcid);
      await links.create(tenant.id, person.id, { ...token });
      return { tenant, client, personId: person.id, orcidId: researcher.orcid, token: token.access_token };
    },
    inOrcid: (s, section) => clientItems(sandboxBase, s.orcidId, s.client.clientId, section),
    async close() {
      await orcid.close();
      await tdb.drop();
    },
  };
}
