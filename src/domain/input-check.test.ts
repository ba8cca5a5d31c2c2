import { describe, expect, it } from 'vitest';
import { inputProblem } from './input-check.js';

describe('input no field may hold', () => {
  it('names the field holding a NUL character, in values and keys', () => {
    expect(inputProblem({ a: { b: ['ok', 'x\u0000'] } }, '')?.field).toBe('a.b.1');
    expect(inputProblem({ 'k\u0000': 1 }, '')?.message).toContain('key');
    expect(inputProblem({ a: 'fine', b: [1, true, null] }, '')).toBeNull();
  });

  it('refuses nesting past the limit without recursing (100,000 levels)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inputProblem(deep, '')?.message).toContain('nested deeper than 32');
    let ok: unknown = 1;
    for (let i = 0; i < 31; i++) ok = { a: ok };
    expect(inputProblem(ok, '')).toBeNull();
  });
});
