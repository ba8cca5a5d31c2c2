import { describe, expect, it } from 'vitest';
import { localIdOf, scopesCover } from './tenant.js';

describe('scopesCover', () => {
  it('a member token with the same or wider scopes covers the request', () => {
    expect(
      scopesCover('/read-limited /activities/update /person/update', '/read-limited /activities/update'),
    ).toBe(true);
    expect(
      scopesCover('/read-limited /activities/update', '/read-limited /activities/update /person/update'),
    ).toBe(false);
  });
  it('openid and /authenticate are the same request, and member scopes imply it', () => {
    expect(scopesCover('openid', '/authenticate')).toBe(true);
    expect(scopesCover('/read-limited', 'openid')).toBe(true);
    expect(scopesCover('/authenticate', '/read-limited')).toBe(false);
  });
});

describe('localIdOf', () => {
  it('prefers the employee id, then eppn, then email, case-folded', () => {
    expect(localIdOf({ employeeId: 'E1', email: 'a@x.org' })).toBe('E1');
    expect(localIdOf({ eppn: 'Ada@X.org', email: 'a@x.org' })).toBe('ada@x.org');
    expect(localIdOf({ email: ' A@X.org ' })).toBe('a@x.org');
    expect(localIdOf({ givenNames: 'Ada' })).toBeNull();
  });
});
