import { describe, expect, it } from 'vitest';
import { KeyRing, KeyRingError } from './key-ring.js';
import { open, SealError, seal, sealedKeyId } from './seal.js';

const ctx = { table: 'tenants', column: 'client_secret_sealed', row: 'a1' };

function flip(sealed: string, part: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('sealing', () => {
  it('round-trips and never repeats a ciphertext (random IV)', () => {
    const r = KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const a = seal(r, 'secret-value', ctx);
    const b = seal(r, 'secret-value', ctx);
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret-value');
    expect(open(r, a, ctx)).toBe('secret-value');
    expect(sealedKeyId(a)).toBe('k1');
  });

  it('refuses tampered ciphertext, IV and tag', () => {
    const r = KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const s = seal(r, 'secret-value', ctx);
    expect(() => open(r, flip(s, 3), ctx)).toThrow(SealError);
    expect(() => open(r, flip(s, 2), ctx)).toThrow(/did not authenticate/);
    expect(() => open(r, s.slice(0, -4), ctx)).toThrow(SealError);
  });

  it('refuses the value in another row, column or table (AAD)', () => {
    const r = KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const s = seal(r, 'secret-value', ctx);
    for (const other of [
      { ...ctx, row: 'a2' },
      { ...ctx, column: 'other' },
      { ...ctx, table: 'people' },
    ]) {
      expect(() => open(r, s, other)).toThrow(expect.objectContaining({ reason: 'tampered' }));
    }
  });

  it('refuses an unknown key id, naming it', () => {
    const r1 = KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const r2 = KeyRing.parse(`k2:${Buffer.alloc(32, 2).toString('base64')}`);
    expect(() => open(r2, seal(r1, 'x', ctx), ctx)).toThrow(
      expect.objectContaining({ reason: 'unknown-key' }),
    );
    expect(() => open(r2, seal(r1, 'x', ctx), ctx)).toThrow(/"k1"/);
  });

  it('a ring with a new key seals with it and still opens the old values', () => {
    const r1 = KeyRing.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const old = seal(r1, 'x', ctx);
    const r2 = r1.withNewKey('k2');
    expect(sealedKeyId(seal(r2, 'y', ctx))).toBe('k2');
    expect(open(r2, old, ctx)).toBe('x');
    expect(KeyRing.parse(r2.format()).keys.map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it('refuses malformed key rings with a clear message', () => {
    expect(() => KeyRing.parse('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => KeyRing.parse('nocolon')).toThrow(KeyRingError);
    const k = Buffer.alloc(32).toString('base64');
    expect(() => KeyRing.parse(`a:${k},a:${k}`)).toThrow(/twice/);
    expect(() => KeyRing.parse('')).toThrow(/at least one key/);
  });
});
