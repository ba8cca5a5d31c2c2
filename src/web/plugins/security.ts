// What every page and form relies on: security headers (CSP, HSTS on https), then form bodies,
// signed cookies, sessions stored in PostgreSQL, and CSRF tokens.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import session, { type SessionStore } from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Container } from '../../app/container.js';

const httpsOf = (c: Container) => c.publicUrl.startsWith('https://');

/** First of all, so that every answer carries them (a 429 or 400 page too). */
export const securityHeaders = fp(async (app: FastifyInstance, c: Container) => {
  const secure = httpsOf(c);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        // Forms redirect to ORCID and to the institution's identity provider.
        'form-action': null,
        'upgrade-insecure-requests': secure ? [] : null,
      },
    },
    strictTransportSecurity: secure,
  });
});

/** After the limits and the input guard: a refused request never reads or writes a session. */
export const sessions = fp(async (app: FastifyInstance, c: Container) => {
  const secure = httpsOf(c);
  await app.register(formbody);
  await app.register(cookie, { secret: c.ring.derive('lanyard csrf cookie') });
  await app.register(session, {
    secret: c.ring.derive('lanyard session cookie'),
    cookieName: 'lanyard_session',
    // The store's callbacks are typed loosely on purpose (framework-free db module).
    store: c.sessions as unknown as SessionStore,
    saveUninitialized: false,
    rolling: false,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: c.sessions.ttlMs },
  });
  // The CSRF secret lives in its own signed cookie, not in the session: an anonymous visitor's
  // page view writes no row (a session is saved only once someone signs in or starts a flow).
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'lanyard_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true },
    // Forms carry the token as a field; multipart forms (uploads) in their action's query
    // string, so that it is checked before the body is read.
    getToken: (req) => {
      const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
      const query = (req.query as { _csrf?: unknown } | undefined)?._csrf;
      const token = [field, query, req.headers['x-csrf-token']].find((t) => typeof t === 'string');
      return (token as string | undefined) ?? '';
    },
  });
});
