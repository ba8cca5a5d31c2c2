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

/**
 * The `i`th of a mixed run of items, a third each: works (self DOIs, which ORCID de-duplicates),
 * employments as a CSV states them (no external ids: ORCID does not) and keywords. `run` names
 * the run in titles and DOIs.
 */
export function mixedItem(run: string, i: number): { section: string; payload: Record<string, unknown> } {
  if (i % 3 === 1)
    return {
      section: 'employment',
      payload: { 'role-title': `${run} role ${i}`, 'start-date': { year: { value: '2021' } } },
    };
  if (i % 3 === 2) return { section: 'keywords', payload: { content: `${run} keyword ${i}` } };
  return {
    section: 'work',
    payload: {
      title: { title: { value: `${run} work ${i}` } },
      type: 'journal-article',
      'external-ids': {
        'external-id': [
          {
            'external-id-type': 'doi',
            'external-id-value': `10.5555/${run}.${i}`,
            'external-id-relationship': 'self',
          },
        ],
      },
    },
  };
}

/** What tells a mixed run's items of a section apart on the record. */
export function mixedItemName(section: string, json: Record<string, unknown>): string {
  if (section === 'employment') return String(json['role-title']);
  if (section === 'keywords') return String(json.content);
  return (json.title as { title: { value: string } }).title.value;
}
