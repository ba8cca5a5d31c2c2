import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInput } from '../../domain/input-check.js';
import { webErrors } from '../errors.js';
import { errorPages } from './error-pages.js';

describe('error pages: one answer per error id, a page for people and JSON for the APIs', () => {
  const app = Fastify();
  beforeAll(async () => {
    await app.register(errorPages);
    for (const prefix of ['/o/demo/admin', '/api/v1', '/o/demo/api'])
      app.get(`${prefix}/:what`, async (req) => {
        const what = (req.params as { what: string }).what;
        if (what === 'admin') throw webErrors.adminRequired(true);
        if (what === 'limited') throw webErrors.rateLimited(42);
        if (what === 'input') throw new BadInput('payload.title', 'must not contain NUL characters');
        if (what === 'key') throw webErrors.unauthorized();
        throw new Error('secret detail from deep inside');
      });
    await app.ready();
  });
  afterAll(() => app.close());

  it('renders a WebError as the localised page for people, with its status', async () => {
    const res = await app.inject({ url: '/o/demo/admin/admin', headers: { 'accept-language': 'es' } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<html lang="es">');
    expect(res.body).toContain('No permitido');
  });

  it('answers the API with the stable id, the message and the field at fault', async () => {
    const admin = await app.inject({ url: '/api/v1/admin' });
    expect(admin.statusCode).toBe(403);
    expect(admin.json()).toEqual({ error: 'admin_required', message: 'Administrators only.' });
    const input = await app.inject({ url: '/api/v1/input' });
    expect(input.statusCode).toBe(400);
    expect(input.json()).toMatchObject({
      error: 'invalid_body',
      field: 'payload.title',
      problems: [{ field: 'payload.title', message: 'must not contain NUL characters' }],
    });
    // The display API under /o/{tenant}/api/ is an API too.
    expect((await app.inject({ url: '/o/demo/api/key' })).json().error).toBe('unauthorized');
  });

  it("sends the error's headers (Retry-After, WWW-Authenticate) on pages and JSON alike", async () => {
    const page = await app.inject({ url: '/o/demo/admin/limited' });
    expect(page.statusCode).toBe(429);
    expect(page.headers['retry-after']).toBe('42');
    const key = await app.inject({ url: '/api/v1/key' });
    expect(key.headers['www-authenticate']).toBe('Bearer realm="lanyard"');
  });

  it('answers an unexpected error 500 without its text, and unknown addresses as not_found', async () => {
    const page = await app.inject({ url: '/o/demo/admin/boom' });
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain('secret detail');
    const api = await app.inject({ url: '/api/v1/boom' });
    expect(api.json()).toEqual({ error: 'server_error', message: 'The request could not be completed.' });
    const missing = await app.inject({ url: '/api/v2/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('not_found');
  });
});
