// The OpenAPI document is made from the routes' schemas: it lists every /api/v1 route, an
// independent validator accepts it, Redocly's `recommended` rules find nothing in it, and the
// example requests of docs/api.md are accepted by the server it describes.
import { readFileSync } from 'node:fs';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortal, type TestPortal } from '../helpers/portal.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sb: TestSandbox;
let p: TestPortal;
// biome-ignore lint/suspicious/noExplicitAny: reading a JSON document
let doc: any;

beforeAll(async () => {
  sb = await startTestSandbox();
  p = await startPortal(sb.base, { tenant: { slug: 'openapi-uni' } });
  doc = await (await fetch(`${p.base}/api/v1/openapi.json`)).json();
}, 60_000);
afterAll(async () => {
  await p?.close();
  await sb?.close();
});

/** METHOD path of every /api/v1 route the server has, read off Fastify's route tree. */
function serverRoutes(): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of p.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    if (!m[3] || !path.startsWith('/api/v1/') || path === '/api/v1/openapi.json') continue;
    for (const method of m[3].split(', ').filter((x) => x !== 'HEAD'))
      routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes.sort();
}

describe('the OpenAPI document', () => {
  it('lists every /api/v1 route the server has, and nothing else', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(serverRoutes().length).toBeGreaterThanOrEqual(5);
    expect(documented).toEqual(serverRoutes());
  });

  it('is valid OpenAPI 3.1 for an independent validator', async () => {
    const r = await new Validator().validate(doc);
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    expect(problems.map((x) => `${x.severity} ${x.ruleId}: ${x.message}`)).toEqual([]);
  });

  it('says what the server checks: the example requests of docs/api.md are accepted', async () => {
    const key = (await p.container.repos.apiKeys.create(p.tenant.id, 'docs examples')).key;
    const examples = [
      ...readFileSync('docs/api.md', 'utf8').matchAll(/```http\n(\w+) (\S+)\n([\s\S]*?)```/g),
    ];
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const [, method, path, body] of examples) {
      const res = await fetch(`${p.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body!.trim() ? { 'content-type': 'application/json' } : {}),
        },
        ...(body!.trim() ? { body } : {}),
      });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(200);
    }
  });
});
