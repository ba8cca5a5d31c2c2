import { describe, expect, it } from 'vitest';
import { isValidOrcid, newAuthCode, newClientId, newOrcid, orcidCheckChar } from './ids.js';

describe('SPEC 2: ORCID iD checksum (ISO 7064 MOD 11-2)', () => {
  it('accepts ORCID documentation examples, including an X check character', () => {
    for (const id of ['0000-0002-1825-0097', '0000-0001-5109-3700', '0000-0002-1694-233X']) {
      expect(isValidOrcid(id)).toBe(true);
    }
  });

  it('refuses a wrong check digit and malformed iDs', () => {
    expect(isValidOrcid('0000-0002-1825-0098')).toBe(false);
    expect(isValidOrcid('0000-0002-1825-009')).toBe(false);
    expect(isValidOrcid('0000000218250097')).toBe(false);
  });

  it('computes X for a result of 10', () => {
    expect(orcidCheckChar('000000021694233')).toBe('X');
  });

  it('mints new checksummed iDs in the 0009 block, never one already taken', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const id = newOrcid((x) => taken.has(x));
      expect(isValidOrcid(id)).toBe(true);
      expect(id.startsWith('0009-')).toBe(true);
      expect(taken.has(id)).toBe(false);
      taken.add(id);
    }
  });

  it('SPEC 3.1/3.6: client ids are APP- plus 16 characters; codes are 6 characters of [0-9a-zA-Z]', () => {
    expect(newClientId()).toMatch(/^APP-[\dA-Z]{16}$/);
    expect(newAuthCode()).toMatch(/^[0-9a-zA-Z]{6}$/);
  });
});
