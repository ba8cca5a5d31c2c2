// Organisations for the benches: a tenant with its own client registered in the simulator, people
// connected to new researchers, and works stated for them in one statement.
import { sql } from 'kysely';
import type { Container } from '../src/app/container.js';
import type { Tenant } from '../src/db/rows.js';
import type { TokenResponse } from '../src/orcid/oauth.js';
import type { Platform } from '../src/platform.js';
import { connectResearcher, sandboxControl } from '../test/helpers/sandbox-process.js';

export interface BenchTenant {
  tenant: Tenant;
  client: { clientId: string; clientSecret: string };
  personIds: string[];
  orcids: string[];
}

/**
 * A tenant on the simulator at ORCID's member limit (24/s, burst 40) unless `limit` says
 * otherwise, with `people` people connected (none when 0).
 */
export async function benchTenant(
  c: Container,
  sandboxBase: string,
  slug: string,
  people: number,
  options: { limit?: { perSecond: number; burst: number }; sync?: object } = {},
): Promise<BenchTenant> {
  const client = (await sandboxControl(sandboxBase, '/clients', {
    name: 'Bench University',
    type: 'member',
    premium: true,
    redirectUris: ['https://bench.example.org'],
  })) as { clientId: string; clientSecret: string };
  const tenant = await c.repos.tenants.create({
    slug,
    name: 'Bench University',
    orcidEnvironment: 'local',
    apiType: 'member',
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    scopes: '/read-limited /activities/update /person/update',
    redirectUri: 'https://bench.example.org/cb',
    supportContact: 'bench@example.org',
    rateLimitPerSecond: options.limit?.perSecond ?? 24,
    rateLimitBurst: options.limit?.burst ?? 40,
    ...(options.sync ? { sync: options.sync } : {}),
  });
  const personIds: string[] = [];
  const orcids: string[] = [];
  for (let i = 0; i < people; i++) {
    const person = (await c.repos.people.upsertFromSignIn(tenant.id, { employeeId: `${slug}-${i}` }))!;
    const r = await connectResearcher(sandboxBase, client, `${slug}-${i}@example.org`, tenant.scopes);
    await c.repos.links.create(tenant.id, person.id, r.response as unknown as TokenResponse);
    personIds.push(person.id);
    orcids.push(r.orcid);
  }
  return { tenant, client, personIds, orcids };
}

/**
 * `n` works (each with its own DOI) for the tenant's people in turn, stated `pending` in one
 * statement: releaseWrites queues them when the clock starts.
 */
export async function queuedWorks(platform: Platform, t: BenchTenant, n: number): Promise<void> {
  const slug = t.tenant.slug;
  await sql`
    insert into items (tenant_id, person_id, section, source_key, payload, content_hash, desired_state, status)
    select ${t.tenant.id}::uuid, (${t.personIds}::uuid[])[1 + g % ${t.personIds.length}::int], 'work', ${slug} || '-' || g,
      jsonb_build_object(
        'title', jsonb_build_object('title', jsonb_build_object('value', 'Bench work ' || g)),
        'type', 'journal-article',
        'external-ids', jsonb_build_object('external-id', jsonb_build_array(jsonb_build_object(
          'external-id-type', 'doi', 'external-id-value', '10.5555/' || ${slug} || '.' || g,
          'external-id-relationship', 'self')))),
      md5(${slug} || g), 'present', 'pending'
    from generate_series(0, ${n}::int - 1) g`.execute(platform.db.db);
}
