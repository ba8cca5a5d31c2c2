import { describe, expect, it } from 'vitest';
import { redirectUriMatches } from './authorize-service.js';
import { clientMayUse, expandScopes, hasScope, parseScopeParam } from './scopes.js';

describe('SPEC 4: scopes', () => {
  it('expands the hierarchy', () => {
    expect(hasScope(['/read-limited'], '/orcid-works/read-limited')).toBe(true);
    expect(hasScope(['/read-limited'], '/read-public')).toBe(true);
    expect(hasScope(['/activities/update'], '/read-limited')).toBe(false);
    expect(hasScope(['openid'], '/authenticate')).toBe(true);
    expect(expandScopes(['/group-id-record/update']).has('/group-id-record/read')).toBe(true);
  });

  it('parses space- and plus-separated scope strings without duplicates', () => {
    expect(parseScopeParam('/read-limited+/activities/update  /read-limited')).toEqual([
      '/read-limited',
      '/activities/update',
    ]);
    expect(parseScopeParam(undefined)).toEqual([]);
  });

  it('public clients get only /authenticate, openid and /read-public; webhooks need premium', () => {
    expect(clientMayUse({ type: 'public', premium: false }, '/read-limited')).toBe(false);
    expect(clientMayUse({ type: 'public', premium: false }, 'openid')).toBe(true);
    expect(clientMayUse({ type: 'member', premium: false }, '/webhook')).toBe(false);
    expect(clientMayUse({ type: 'member', premium: true }, '/webhook')).toBe(true);
  });
});

describe('SPEC 3.5: redirect URI matching', () => {
  it('requires scheme, host and port equality and a path prefix; ignores the query', () => {
    expect(redirectUriMatches('https://a.example.org', 'https://a.example.org/any/path?x=1')).toBe(true);
    expect(redirectUriMatches('https://a.example.org/cb', 'https://a.example.org/cb/more')).toBe(true);
    expect(redirectUriMatches('https://a.example.org/cb', 'https://a.example.org/other')).toBe(false);
    expect(redirectUriMatches('https://a.example.org', 'http://a.example.org')).toBe(false);
    expect(redirectUriMatches('https://a.example.org', 'https://a.example.org:8443')).toBe(false);
    expect(redirectUriMatches('https://a.example.org', 'https://b.a.example.org')).toBe(false);
    expect(redirectUriMatches('https://a.example.org', 'not a url')).toBe(false);
  });
});
