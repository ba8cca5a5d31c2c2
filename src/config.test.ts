import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.LANYARD_SANDBOX_PORT).toBe(8400);
    expect(c.LANYARD_SANDBOX_HOST).toBe('127.0.0.1');
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({
        LANYARD_SANDBOX_PORT: 'ninety',
        LOG_LEVEL: 'loud',
        LANYARD_SANDBOX_PUBLIC_URL: 'not a url',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/LANYARD_SANDBOX_PORT/);
      expect(problems).toMatch(/LOG_LEVEL/);
      expect(problems).toMatch(/LANYARD_SANDBOX_PUBLIC_URL/);
    }
  });

  it('requires sealing keys with an external database', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db' })).toThrow(
      /LANYARD_KEYS: is required when DATABASE_URL is set/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/postgres:\/\//);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', LANYARD_KEYS: 'k1:abc' }).DATABASE_URL,
    ).toBe('postgres://x@localhost/db');
  });
});
