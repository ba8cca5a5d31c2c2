// Test data for the platform's tables.
import { randomBytes } from 'node:crypto';
import type { NewTenant } from '../../src/db/tenant.repository.js';

/** An organisation on the local ORCID environment with a unique slug. */
export function tenantInput(i: number, secret: string, over: Partial<NewTenant> = {}): NewTenant {
  return {
    slug: `org-${i}-${randomBytes(3).toString('hex')}`,
    name: `Organisation ${i}`,
    orcidEnvironment: 'local',
    apiType: 'member',
    clientId: `APP-${String(i).padStart(16, '0')}`,
    clientSecret: secret,
    scopes: '/read-limited /activities/update',
    redirectUri: 'https://portal.example.org/orcid/callback',
    supportContact: 'orcid-support@example.org',
    ...over,
  };
}
