import { describe, expect, it } from 'vitest';
import { registryQuery } from './registry-search.service.js';

describe('the registry query', () => {
  it("searches the organisation's id where ORCID indexes its kind, or its name, quoted", () => {
    expect(
      registryQuery({
        name: 'Lanyard Demo University',
        org_name: null,
        org_disambiguated_id: 'https://ror.org/04vwd8k31',
        org_disambiguation_source: 'ROR',
      }),
    ).toBe('ror-org-id:"https://ror.org/04vwd8k31" OR affiliation-org-name:"Lanyard Demo University"');
    expect(
      registryQuery({
        name: 'X',
        org_name: 'Uni "of" Things\\',
        org_disambiguated_id: '10.13039/501100001',
        org_disambiguation_source: 'FUNDREF',
      }),
    ).toBe('affiliation-org-name:"Uni \\"of\\" Things\\\\"');
  });
});
