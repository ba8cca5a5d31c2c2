// The web role's Fastify app: wiring only. It builds the repositories and services once
// (composition root), installs sessions, CSRF and security headers, and mounts the routes.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import session, { type SessionStore } from '@fastify/session';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Container } from '../app/container.js';
import { BAD_INPUT, type BadInput } from '../domain/input-check.js';
import { type Language, pickLanguage, translator } from './i18n.js';
import { type AbuseLimits, abuseLimits, DEFAULT_LIMITS, RATE_LIMITED } from './plugins/abuse-limits.js';
import { inputGuard } from './plugins/input-guard.js';
import { adminRoutes } from './routes/admin/admin.routes.js';
import { outboxRoutes } from './routes/admin/outbox.routes.js';
import { apiV1Routes } from './routes/api/v1.routes.js';
import { portalRoutes } from './routes/portal/portal.routes.js';
import { LANG_COOKIE } from './routes/portal/portal-context.js';
import { orcidSignInCallback, signInRoutes } from './routes/portal/sign-in.routes.js';

/** What the web role is started with, beyond the container's parts. */
export interface WebOptions {
  /** The embedded demo shows its mail at /outbox (no SMTP server needed). */
  showOutbox?: boolean;
  /** Sign-in and API limits (default DEFAULT_LIMITS). */
  limits?: Partial<AbuseLimits>;
  /** Fastify's trustProxy: only when a proxy in front sets X-Forwarded-For (LANYARD_TRUST_PROXY). */
  trustProxy?: boolean | string;
}

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

/**
 * The document keeps only the schemas it refers to: every named zod schema comes in an input and
 * an output version, and most routes use only one of them.
 */
function withoutUnusedSchemas<T>(doc: T): T {
  const d = doc as { components?: { schemas?: Record<string, unknown> } };
  const schemas = d.components?.schemas;
  if (!schemas) return doc;
  const used = new Set<string>();
  const visit = (v: unknown) => {
    const text = JSON.stringify(v);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g))
      if (!used.has(name!)) {
        used.add(name!);
        visit(schemas[name!]);
      }
  };
  visit({ ...d, components: { ...d.components, schemas: {} } });
  for (const name of Object.keys(schemas)) if (!used.has(name)) delete schemas[name];
  return doc;
}

/** A minimal page for requests that never reached a tenant's portal (escaped by hand). */
function plainPage(lang: Language, title: string, text: string): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1><p>${esc(text)}</p></main></body></html>`;
}

function sendPlain(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: 'notFound' | 'csrf' | 'serverError' | 'tooMany' | 'badRequest',
) {
  const cookies = (req as { cookies?: Record<string, string> }).cookies;
  const lang = pickLanguage(
    (req.query as Record<string, unknown> | undefined)?.lang,
    cookies?.[LANG_COOKIE],
    req.headers['accept-language'],
  );
  const t = translator(lang);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(plainPage(lang, t(`${key}Title`), t(`${key}Text`)));
}

/** The web role's app on the container's parts; `c.publicUrl` is where people reach it. */
export function buildApp(c: Container, deps: WebOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
  });
  const { db } = c;

  const secure = c.publicUrl.startsWith('https://');
  app.register(helmet, {
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
  app.register(abuseLimits, { ...DEFAULT_LIMITS, ...deps.limits });
  app.register(inputGuard);
  app.register(formbody);
  app.register(cookie, { secret: c.ring.derive('lanyard csrf cookie') });
  app.register(session, {
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
  app.register(csrf, {
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

  app.setNotFoundHandler((req, reply) => sendPlain(req, reply, 404, 'notFound'));
  app.setErrorHandler((err: { code?: string; statusCode?: number; message?: string }, req, reply) => {
    if (err.code && CSRF_ERRORS.has(err.code)) return sendPlain(req, reply, 403, 'csrf');
    if (err.code === BAD_INPUT) {
      const { field, message } = err as BadInput;
      return req.url.startsWith('/api/')
        ? reply.code(400).send({ error: 'invalid_body', problems: [{ field, message }] })
        : sendPlain(req, reply, 400, 'badRequest');
    }
    if (err.code === RATE_LIMITED)
      return req.url.startsWith('/api/')
        ? reply.code(429).send({ error: 'rate_limited', message: err.message })
        : sendPlain(req, reply, 429, 'tooMany');
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send(err);
    req.log.error(err, 'request failed');
    return sendPlain(req, reply, 500, 'serverError');
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(db);
      return { status: 'ok', database: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });

  // Collects the routes' schemas for /api/v1/openapi.json; every route outside /api/v1 is left out.
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lanyard API',
        version: '1',
        description:
          "The organisation's systems state people and the items Lanyard writes to their ORCID records. Writes are idempotent by source key.",
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: c.publicUrl.replace(/\/+$/, '') || '/' }],
      tags: [{ name: 'people and items', description: 'People and the items written to their records' }],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    },
    transform: (route) =>
      route.url.startsWith('/api/v1/')
        ? jsonSchemaTransform(route)
        : { schema: { ...route.schema, hide: true }, url: route.url },
    transformObject: (input) => withoutUnusedSchemas(jsonSchemaTransformObject(input)),
  });
  apiV1Routes(app, { keys: c.apiKeys, intake: c.intake });
  if (deps.showOutbox) outboxRoutes(app, c.invitationMail);

  app.register(async (portal) => {
    const shared = { tenantCache: c.tenantDirectory, portal: c.portal, orcid: c.orcid };
    const signInDeps = {
      ...shared,
      signIns: c.signIns,
      directory: c.directory,
      oidc: c.oidcSignIn,
      saml: c.samlSignIn,
      logger: c.logger,
      publicUrl: c.publicUrl.replace(/\/+$/, ''),
    };
    signInRoutes(portal, signInDeps);
    adminRoutes(portal, { ...shared, admins: c.adminAccess, uploads: c.uploads, rename: c.rename });
    portalRoutes(portal, {
      ...shared,
      connect: c.connect,
      disconnect: c.disconnect,
      orcidSignIn: orcidSignInCallback(signInDeps),
    });
  });
  return app;
}
