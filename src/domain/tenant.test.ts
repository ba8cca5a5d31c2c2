import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPES, tenantSettingsProblems } from './tenant.js';

const valid = {
  slug: 'uni-wakanda',
  name: 'University of Wakanda',
  orcidEnvironment: 'production',
  apiType: 'member',
  clientId: 'APP-ABCDEFGHIJKLMNOP',
  clientSecret: 's3cret',
  scopes: DEFAULT_SCOPES.member,
  redirectUri: 'https://portal.wakanda.example/orcid/callback',
  supportContact: 'orcid@wakanda.example',
};

describe('tenant settings', () => {
  it('accepts a complete member organisation', () => {
    expect(tenantSettingsProblems(valid)).toEqual([]);
  });

  it('lists every problem: bad slug, client id, http redirect in production, public client asking member scopes', () => {
    const problems = tenantSettingsProblems({
      ...valid,
      slug: 'Bad Slug',
      clientId: 'client-1',
      redirectUri: 'http://portal.wakanda.example/cb',
      apiType: 'public',
    });
    expect(problems.join('\n')).toMatch(/slug: lowercase/);
    expect(problems.join('\n')).toMatch(/clientId: an ORCID client id/);
    expect(problems.join('\n')).toMatch(/redirectUri: must be https/);
    expect(problems.join('\n')).toMatch(/scopes: a public API client/);
  });

  it('takes an organisation without ORCID credentials, but never one half of them', () => {
    const { clientId: _id, clientSecret: _secret, ...none } = valid;
    expect(tenantSettingsProblems(none)).toEqual([]);
    expect(tenantSettingsProblems({ ...none, clientId: valid.clientId })).toEqual([
      'clientSecret: is required with the client id',
    ]);
    expect(tenantSettingsProblems({ ...none, clientSecret: 'x' })).toEqual([
      'clientId: is required with the client secret',
    ]);
  });

  it("checks the affiliations' identity: a real country code, an identifier only with its source", () => {
    expect(
      tenantSettingsProblems({
        ...valid,
        org: { country: 'NZ', disambiguatedId: 'x', disambiguationSource: 'ROR' },
      }),
    ).toEqual([]);
    expect(
      tenantSettingsProblems({ ...valid, org: { country: 'XX', disambiguatedId: 'https://ror.org/0' } }),
    ).toEqual([
      'org.country: an ISO 3166 two-letter country code, e.g. NZ',
      'org.disambiguationSource: the identifier and its source go together',
    ]);
  });

  it('allows http redirects on the sandbox and the local simulator', () => {
    expect(
      tenantSettingsProblems({
        ...valid,
        orcidEnvironment: 'local',
        redirectUri: 'http://127.0.0.1:3000/cb',
      }),
    ).toEqual([]);
  });
});
