import { describe, expect, it } from 'vitest';
import { OutboundGuard, OutboundRefused } from './outbound-guard.js';

const dns =
  (answers: Record<string, string[]>) =>
  async (host: string): Promise<Array<{ address: string; family: number }>> => {
    const list = answers[host];
    if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('the outbound (SSRF) guard', () => {
  const guard = new OutboundGuard(
    [],
    dns({
      'cris.example.edu': ['93.184.216.34'],
      'inside.example.edu': ['10.0.0.5'],
      'mixed.example.edu': ['93.184.216.34', '192.168.1.9'],
      'mapped.example.edu': ['::ffff:127.0.0.1'],
    }),
  );

  it('resolves a public host to the address it will connect to', async () => {
    expect(await guard.resolve('https://cris.example.edu/hooks')).toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
  });

  it.each([
    ['http://127.0.0.1/x', 'loopback'],
    ['http://[::1]/x', 'loopback'],
    ['https://inside.example.edu/x', 'private'],
    ['https://mixed.example.edu/x', 'private'],
    ['https://mapped.example.edu/x', 'loopback'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://0.0.0.0/', 'unspecified'],
  ])('refuses %s (%s), saying why', async (url, range) => {
    await expect(guard.resolve(url)).rejects.toThrow(OutboundRefused);
    await expect(guard.resolve(url)).rejects.toThrow(`a ${range} address`);
  });

  it('refuses what is not an http(s) URL, carries credentials, or does not resolve', async () => {
    await expect(guard.resolve('ftp://cris.example.edu/')).rejects.toThrow('not supported');
    await expect(guard.resolve('https://u:p@cris.example.edu/')).rejects.toThrow('user name');
    await expect(guard.resolve('https://nowhere.example.edu/')).rejects.toThrow('could not be resolved');
    await expect(guard.resolve('not a url')).rejects.toThrow('is not a URL');
  });

  it('allows the ranges the operator names, and only those', async () => {
    const allowing = new OutboundGuard(['127.0.0.0/8'], dns({}));
    expect((await allowing.resolve('http://127.0.0.1:9/x')).address).toBe('127.0.0.1');
    await expect(allowing.resolve('http://10.0.0.1/x')).rejects.toThrow('private');
    expect(() => new OutboundGuard(['not-a-range'])).toThrow('not a CIDR');
  });
});
