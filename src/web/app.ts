// The web role's Fastify app: wiring only. It installs the shared plugins (security headers,
// limits, the input guard, sessions and CSRF, error pages, the API document) and mounts each
// area's routes on the container's services.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { sql } from 'kysely';
import type { Container } from '../app/container.js';
import { type AbuseLimits, abuseLimits, DEFAULT_LIMITS } from './plugins/abuse-limits.js';
import { apiDocument } from './plugins/api-document.js';
import { errorPages } from './plugins/error-pages.js';
import { inputGuard } from './plugins/input-guard.js';
import { securityHeaders, sessions } from './plugins/security.js';
import { tenantScope } from './plugins/tenant-scope.js';
import { adminRoutes } from './routes/admin/admin.routes.js';
import { organisationRoutes } from './routes/admin/organisation.routes.js';
import { outboxRoutes } from './routes/admin/outbox.routes.js';
import { apiV1Routes } from './routes/api/v1.routes.js';
import { portalRoutes } from './routes/portal/portal.routes.js';
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

/** The web role's app on the container's parts; `c.publicUrl` is where people reach it. */
export function buildApp(c: Container, deps: WebOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
  });
  const { db } = c;

  app.register(securityHeaders, c);
  app.register(abuseLimits, { ...DEFAULT_LIMITS, ...deps.limits });
  app.register(inputGuard);
  app.register(sessions, c);
  app.register(errorPages);
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(db);
      return { status: 'ok', database: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });

  app.register(apiDocument, c);
  apiV1Routes(app, { keys: c.apiKeys, intake: c.intake });
  if (deps.showOutbox) outboxRoutes(app, c.invitationMail);

  app.register(async (portal) => {
    await portal.register(tenantScope, { directory: c.tenantDirectory });
    const shared = { portal: c.portal, orcid: c.orcid };
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
    adminRoutes(portal, { ...shared, admins: c.adminAccess, uploads: c.uploads });
    organisationRoutes(portal, { ...shared, admins: c.adminAccess, rename: c.rename });
    portalRoutes(portal, {
      ...shared,
      connect: c.connect,
      disconnect: c.disconnect,
      orcidSignIn: orcidSignInCallback(signInDeps),
    });
  });
  return app;
}
