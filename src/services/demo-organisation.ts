// The demo organisation that `npm start` seeds: one tenant on the `local` ORCID environment
// using the member client registered in the simulator's demo seed, and a demo directory.
// Idempotent: a restart keeps the data and refreshes the settings.
import type { Repositories } from '../db/repositories.js';
import type { NewTenant, Tenant } from '../db/tenant.repository.js';
import { DEFAULT_SCOPES, type PersonAttributes } from '../domain/tenant.js';
import type { DemoDirectory } from '../identity/demo-directory.js';

export const DEMO_SLUG = 'demo';
export const DEMO_ADMIN_LOCAL_ID = 'E1003';

/** The demo's operator (the operator console, /operator/): a password only the demo gives. */
export const DEMO_OPERATOR = { email: 'operator@demo.example', password: 'operator' };

export const DEMO_PEOPLE: Array<{ username: string; password: string; attributes: PersonAttributes }> = [
  {
    username: 'ada',
    password: 'password',
    attributes: {
      employeeId: 'E1001',
      email: 'ada@demo.example.edu',
      givenNames: 'Ada',
      familyName: 'Lovelace',
    },
  },
  {
    username: 'alan',
    password: 'password',
    attributes: {
      employeeId: 'E1002',
      email: 'alan@demo.example.edu',
      givenNames: 'Alan',
      familyName: 'Turing',
    },
  },
  {
    username: 'grace',
    password: 'password',
    attributes: {
      employeeId: 'E1003',
      email: 'grace@demo.example.edu',
      givenNames: 'Grace',
      familyName: 'Hopper',
    },
  },
];

export function demoTenantSettings(publicUrl: string): NewTenant {
  return {
    slug: DEMO_SLUG,
    name: 'Lanyard Demo University',
    orcidEnvironment: 'local',
    apiType: 'member',
    clientId: 'APP-LANYARDDEMO00001',
    clientSecret: 'demo-client-secret-change-me',
    scopes: DEFAULT_SCOPES.member,
    redirectUri: `${publicUrl.replace(/\/+$/, '')}/o/${DEMO_SLUG}/orcid/callback`,
    supportContact: 'orcid-support@demo.example.edu',
    signIn: { demoDirectory: true, orcidSignIn: true },
    org: {
      name: 'Lanyard Demo University',
      city: 'Wellington',
      country: 'NZ',
      disambiguatedId: 'https://ror.org/04vwd8k31',
      disambiguationSource: 'ROR',
    },
  };
}

export async function seedDemoOrganisation(
  { tenants, adminUsers }: Pick<Repositories, 'tenants' | 'adminUsers'>,
  directory: DemoDirectory,
  publicUrl: string,
): Promise<Tenant> {
  const settings = demoTenantSettings(publicUrl);
  const existing = await tenants.bySlug(DEMO_SLUG);
  const tenant = existing ? await tenants.update(existing.id, settings) : await tenants.create(settings);
  for (const p of DEMO_PEOPLE) await directory.add(tenant.id, p.username, p.password, p.attributes);
  // Grace administers the demo organisation (uploads at /o/demo/admin/).
  await adminUsers.grant(tenant.id, DEMO_ADMIN_LOCAL_ID, 'demo');
  return tenant;
}
