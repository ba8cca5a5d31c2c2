// The write path on its own, for tests that drive WriteItemService directly: a fresh database,
// the service with a fast ORCID transport, and organisations each with a person connected
// through ORCID's OAuth (approved headlessly in the simulator).
import { randomBytes } from 'node:crypto';
import { Container } from '../../src/app/container.js';
import { KeyRing } from '../../src/crypto/key-ring.js';
import type { ItemRepository } from '../../src/db/item.repository.js';
import type { Tenant } from '../../src/db/tenant.repository.js';
import { createLogger } from '../../src/logger.js';
import type { TransportOptions } from '../../src/orcid/transport.js';
import type { WriteItemService } from '../../src/services/write-item.service.js';
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
  container: Container;
  ring: KeyRing;
  items: ItemRepository;
  service: WriteItemService;
  /** A new organisation (Wakanda University, ROR-identified) with one connected person. */
  connected(wireFormat?: 'json' | 'xml', scope?: string): Promise<Connected>;
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
  const container = new Container({
    database: tdb,
    ring,
    logger: createLogger('silent'),
    localOrcidUrl: sandboxBase,
    orcidTransport: transport,
  });
  const { tenants, items, people, links } = container.repos;
  const service = container.writer;
  return {
    tdb,
    container,
    ring,
    items,
    service,
    async connected(wireFormat = 'json', scope?: string) {
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
      const person = (await people.upsertFromSignIn(tenant.id, {
        employeeId: `E${n}`,
      }))!;
      const researcher = await newResearcher(sandboxBase);
      const token = await threeLegged(sandboxBase, client, researcher.orcid, scope);
      await links.create(tenant.id, person.id, { ...token });
      return { tenant, client, personId: person.id, orcidId: researcher.orcid, token: token.access_token };
    },
    inOrcid: (s, section) => clientItems(sandboxBase, s.orcidId, s.client.clientId, section),
    async close() {
      await container.close();
      await tdb.drop();
    },
  };
}
