// The web role's Fastify app: wiring only. It installs the shared plugins (security headers,
// limits, the input guard, sessions and CSRF, error pages, the API document) and mounts each
// area's routes on the container's services.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Container } from '../app/container.js';
import { type AbuseLimits, abuseLimits, DEFAULT_LIMITS } from './plugins/abuse-limits.js';
import { apiDocument } from './plugins/api-document.js';
import { errorPages } from './plugins/error-pages.js';
import { inputGuard } from './plugins/input-guard.js';
import { securityHeaders, sessions } from './plugins/security.js';
import { tenantScope } from './plugins/tenant-scope.js';
import { adminArea } from './routes/admin/index.js';
import { outboxRoutes } from './routes/admin/outbox.routes.js';
import { apiArea } from './routes/api/index.js';
import { healthRoutes } from './routes/health.routes.js';
import { orcidHookRoutes } from './routes/hooks/orcid.routes.js';
import { metricsRoutes } from './routes/metrics.routes.js';
import { operatorArea } from './routes/operator/index.js';
import type { OperatorSignInOptions } from './routes/operator/sign-in.routes.js';
import { portalArea } from './routes/portal/index.js';
import { sharedCallRoutes } from './routes/shared-calls.routes.js';

/** What the web role is started with, beyond the container's parts. */
export interface WebOptions {
  /** The embedded demo shows its mail at /outbox (no SMTP server needed). */
  showOutbox?: boolean;
  /** Sign-in and API limits (default DEFAULT_LIMITS). */
  limits?: Partial<AbuseLimits>;
  /** Fastify's trustProxy: only when a proxy in front sets X-Forwarded-For (LANYARD_TRUST_PROXY). */
  trustProxy?: boolean | string;
  /** Serves GET /metrics here to requests with this bearer token (LANYARD_METRICS_TOKEN). */
  metricsToken?: string;
  /** How operators sign in to /operator/ (LANYARD_OPERATOR_OIDC_*, or the demo's password). */
  operatorSignIn?: OperatorSignInOptions;
}

/** The web role's app on the container's parts; `c.publicUrl` is where people reach it. */
export function buildApp(c: Container, deps: WebOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: c.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
  });

  app.register(securityHeaders, c);
  app.register(abuseLimits, { ...DEFAULT_LIMITS, ...deps.limits });
  app.register(inputGuard);
  app.register(sessions, c);
  app.register(errorPages);
  healthRoutes(app, c.health);
  if (deps.metricsToken) metricsRoutes(app, c.metrics, deps.metricsToken);

  app.register(apiDocument, c);
  apiArea(app, c);
  orcidHookRoutes(app, c.sync.webhooks, (outcome) => c.metrics.webhookReceived(outcome));
  if (deps.showOutbox) outboxRoutes(app, c.invitationMail);
  sharedCallRoutes(app, c.console.calls, c.tenantDirectory);
  operatorArea(app, c, deps.operatorSignIn ?? {});

  // Everything under /o/{tenant}/: the organisation is resolved once per request.
  app.register(async (tenantArea) => {
    await tenantArea.register(tenantScope, { directory: c.tenantDirectory, orcid: c.orcid });
    portalArea(tenantArea, c);
    adminArea(tenantArea, c);
  });
  return app;
}
