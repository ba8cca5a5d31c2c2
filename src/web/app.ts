// The web role's Fastify app: wiring only. It builds the repositories and services once
// (composition root), installs sessions, CSRF and security headers, and mounts the routes.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import session, { type SessionStore } from '@fastify/session';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type { KeyRing } from '../crypto/key-ring.js';
import { AdminUserRepository } from '../db/admin-user.repository.js';
import { ApiKeyRepository } from '../db/api-key.repository.js';
import { InvitationRepository } from '../db/invitation.repository.js';
import { ItemRepository } from '../db/item.repository.js';
import { OauthStateRepository } from '../db/oauth-state.repository.js';
import { OrcidLinkRepository } from '../db/orcid-link.repository.js';
import { PersonRepository } from '../db/person.repository.js';
import { PortalLogRepository } from '../db/portal-log.repository.js';
import { PortalViewRepository } from '../db/portal-view.repository.js';
import { SamlRequestStore } from '../db/saml-request.store.js';
import type { Database } from '../db/schema.js';
import { PgSessionStore, SESSION_TTL_MS } from '../db/session.store.js';
import { SnapshotRepository } from '../db/snapshot.repository.js';
import { TenantRepository } from '../db/tenant.repository.js';
import { BAD_INPUT, type BadInput } from '../domain/input-check.js';
import { DemoDirectory } from '../identity/demo-directory.js';
import { OidcSignIn } from '../identity/oidc-sign-in.js';
import { SamlSignIn } from '../identity/saml-sign-in.js';
import type { Logger } from '../logger.js';
import type { TransportOptions } from '../orcid/transport.js';
import { ConnectOrcidService } from '../services/connect-orcid.service.js';
import { DisconnectOrcidService } from '../services/disconnect-orcid.service.js';
import { personInviter } from '../services/invitation.service.js';
import { ItemIntakeService } from '../services/item-intake.service.js';
import { OrcidClients } from '../services/orcid-clients.js';
import { OrganisationRenameService } from '../services/organisation-rename.service.js';
import type {
  InvitationMailQueue,
  ItemWriteQueue,
  RevocationQueue,
  UploadStatingQueue,
} from '../services/ports.js';
import { UploadService } from '../services/upload.service.js';
import { type Language, pickLanguage, translator } from './i18n.js';
import { type AbuseLimits, abuseLimits, DEFAULT_LIMITS, RATE_LIMITED } from './plugins/abuse-limits.js';
import { inputGuard } from './plugins/input-guard.js';
import { adminRoutes } from './routes/admin/admin.routes.js';
import { outboxRoutes } from './routes/admin/outbox.routes.js';
import { apiV1Routes } from './routes/api/v1.routes.js';
import { portalRoutes } from './routes/portal/portal.routes.js';
import { LANG_COOKIE, TenantCache } from './routes/portal/portal-context.js';
import { orcidSignInCallback, signInRoutes } from './routes/portal/sign-in.routes.js';

export interface AppDeps {
  db: Kysely<Database>;
  /** The pool behind `db`, for the few prepared statements on the hottest paths. */
  pool: pg.Pool;
  logger: Logger;
  ring: KeyRing;
  /** Where people reach this server (callback URLs; https makes cookies Secure). */
  publicUrl: string;
  /** The bundled simulator, for tenants on the `local` ORCID environment. */
  localOrcidUrl: string;
  revocations: RevocationQueue;
  /** Items waiting for a person are queued when they connect. */
  writes: ItemWriteQueue;
  orcidTransport?: TransportOptions;
  /** People whose items wait for them are invited by mail (queued for the worker). */
  invitations?: InvitationMailQueue;
  /** Uploads are checked and stated by a job on a worker. */
  uploadStating: UploadStatingQueue;
  /** The embedded demo shows its mail at /outbox (no SMTP server needed). */
  showOutbox?: boolean;
  /** Administrators by configuration ("slug:local-id"). */
  configuredAdmins?: readonly string[];
  /** Sign-in and API limits (default DEFAULT_LIMITS). */
  limits?: Partial<AbuseLimits>;
  /** Fastify's trustProxy: only when a proxy in front sets X-Forwarded-For (LANYARD_TRUST_PROXY). */
  trustProxy?: boolean | string;
}

const CSRF_ERRORS = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

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

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy ?? false,
  });
  const { db, logger } = deps;
  const tenants = new TenantRepository(db, deps.ring);
  const people = new PersonRepository(db);
  const links = new OrcidLinkRepository(db, deps.ring);
  const log = new PortalLogRepository(db);
  const snapshots = new SnapshotRepository(db);
  const items = new ItemRepository(db);
  const orcid = new OrcidClients(db, tenants, {
    localOrcidUrl: deps.localOrcidUrl,
    logger,
    ...(deps.orcidTransport ? { transport: deps.orcidTransport } : {}),
  });
  const tenantCache = new TenantCache(tenants);
  const invitations = deps.invitations
    ? personInviter(new InvitationRepository(db), deps.invitations)
    : undefined;
  const intake = new ItemIntakeService({ people, items, links, writes: deps.writes, invitations });
  const connect = new ConnectOrcidService({
    links,
    states: new OauthStateRepository(db),
    snapshots,
    log,
    orcid,
    logger,
    afterConnect: async (tenantId, personId, orcid) => {
      if ((await tenants.byId(tenantId))?.employment_on_connect)
        await intake.stateHrEmployment(tenantId, personId);
      const waiting = await items.setStatusForPerson(tenantId, personId, ['pending', 'revoked'], 'queued');
      // Another iD than before: what is on the old record is written to the new one.
      const moved = await items.queueForNewRecord(tenantId, personId, orcid);
      await deps.writes.enqueueWrites(tenantId, [...waiting, ...moved]);
    },
  });
  const disconnect = new DisconnectOrcidService({
    tenants,
    links,
    log,
    orcid,
    revocations: deps.revocations,
    logger,
  });
  app.addHook('onClose', () => orcid.close());

  const secure = deps.publicUrl.startsWith('https://');
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
  app.register(cookie, { secret: deps.ring.derive('lanyard csrf cookie') });
  app.register(session, {
    secret: deps.ring.derive('lanyard session cookie'),
    cookieName: 'lanyard_session',
    // The store's callbacks are typed loosely on purpose (framework-free db module).
    store: new PgSessionStore(deps) as unknown as SessionStore,
    saveUninitialized: false,
    rolling: false,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_TTL_MS },
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

  apiV1Routes(app, { keys: new ApiKeyRepository(db), intake });
  if (deps.showOutbox) outboxRoutes(app, new InvitationRepository(db));

  app.register(async (portal) => {
    const signInDeps = {
      tenantCache,
      people,
      orcid,
      tenants,
      links,
      directory: new DemoDirectory(db),
      oidc: new OidcSignIn(),
      saml: new SamlSignIn(new SamlRequestStore(db)),
      log,
      logger,
      publicUrl: deps.publicUrl.replace(/\/+$/, ''),
    };
    signInRoutes(portal, signInDeps);
    adminRoutes(portal, {
      tenantCache,
      people,
      orcid,
      admins: new AdminUserRepository(db),
      configuredAdmins: deps.configuredAdmins ?? [],
      uploads: new UploadService({
        db,
        ring: deps.ring,
        writes: deps.writes,
        stating: deps.uploadStating,
        invitations,
      }),
      rename: new OrganisationRenameService({ db, ring: deps.ring, writes: deps.writes }),
    });
    portalRoutes(portal, {
      tenantCache,
      people,
      orcid,
      links,
      views: new PortalViewRepository(deps),
      connect,
      disconnect,
      orcidSignIn: orcidSignInCallback(signInDeps),
    });
  });
  return app;
}
