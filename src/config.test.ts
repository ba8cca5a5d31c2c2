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
});
