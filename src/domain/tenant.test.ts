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
