// Assembles the ORCID simulator: one Fastify app serving the registry at `/`, the member API at
// `/api` and the public API at `/pub`, plus the control API at `/__sandbox/` when enabled.
import Fastify, { type FastifyInstance } from 'fastify';
import { loadXsdValidation, sharedModel } from '../../lib/orcid-model/orcid-model.js';
import { bearerOf } from './api/api-auth.js';
import { ApiDispatcher } from './api/api-dispatch.js';
import { OrcidApiError } from './api/orcid-errors.js';
import { DEFAULT_OPTIONS, type SandboxContext, type SandboxOptions, SandboxUrls } from './context.js';
import { AuthorizeService } from './oauth/authorize-service.js';
import { OidcKeys } from './oauth/oidc-keys.js';
import { registerApiRoutes } from './routes/api.routes.js';
import { registerControlRoutes, seedStore } from './routes/control.routes.js';
import { registerOAuthRoutes } from './routes/oauth.routes.js';
import { SandboxError, SandboxStore } from './store/sandbox-store.js';
import { type FailedAnswer, FaultRules, TokenBuckets } from './traffic.js';
import { registerRegistryUi } from './ui/registry-ui.routes.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

export interface Sandbox {
  app: FastifyInstance;
  ctx: SandboxContext;
  faults: FaultRules;
  buckets: TokenBuckets;
  webhooks: WebhookDispatcher;
  /** Listens and returns the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface SandboxSeed {
  clients?: unknown[];
  researchers?: unknown[];
}

export async function createSandbox(
  options: Partial<SandboxOptions> = {},
  seed?: SandboxSeed,
): Promise<Sandbox> {
  const opts: SandboxOptions = {
    ...DEFAULT_OPTIONS,
    ...options,
    rateLimit: { ...DEFAULT_OPTIONS.rateLimit, ...options.rateLimit },
  };
  // Every write's XML is validated against ORCID's XSDs, as ORCID does.
  await loadXsdValidation();
  const store = new SandboxStore();
  const ctx: SandboxContext = {
    store,
    model: sharedModel(),
    options: opts,
    keys: new OidcKeys(),
    urls: new SandboxUrls(opts.publicUrl ?? 'http://127.0.0.1'),
  };
  if (opts.snapshotFile) {
    try {
      store.loadSnapshotFile(opts.snapshotFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (seed && store.researchers.size === 0 && store.clients.size === 0) seedStore(store, seed);

  const app = Fastify({ logger: opts.logger, bodyLimit: 20 * 1024 * 1024, forceCloseConnections: true });
  // Every body is read as text: the API decides how to parse it (JSON, XML or a form) and answers
  // with ORCID's own errors, e.g. 9047 for malformed JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const faults = new FaultRules();
  const failAfterHandling = new WeakMap<object, FailedAnswer>();
  const buckets = new TokenBuckets(opts.rateLimit);
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/__sandbox/')) return;
    const routeKey = `${req.method} ${req.url
      .split('?')[0]!
      .replace(/\d{4}-\d{4}-\d{4}-\d{3}[\dX]/g, '{orcid}')
      .replace(/\/\d+(?=\/|$)/g, '/{n}')}`;
    store.requestCounts.set(routeKey, (store.requestCounts.get(routeKey) ?? 0) + 1);
    const action = faults.decide(req.method, req.url);
    if (action.kind === 'none' && action.after) failAfterHandling.set(req, action.after);
    if (action.kind !== 'timeout' && action.delayMs > 0)
      await new Promise((r) => setTimeout(r, action.delayMs));
    if (action.kind === 'timeout') {
      // Hold the request open without an answer until the client gives up or the server closes.
      await new Promise<void>((resolve) => req.raw.socket.once('close', resolve));
      return reply.hijack();
    }
    if (action.kind === 'reset') {
      req.raw.socket.destroy();
      return reply.hijack();
    }
    if (action.kind === 'status')
      return reply.code(action.status).type('text/plain').send(`Injected fault: HTTP ${action.status}`);
    const api = req.url.startsWith('/api/') ? 'member' : req.url.startsWith('/pub/') ? 'public' : null;
    if (api && !req.url.includes('/oauth/')) {
      const token = bearerOf(req.headers.authorization, req.query as Record<string, unknown>);
      const t = token ? store.tokens.get(token) : undefined;
      const key = t ? t.clientId : `ip:${req.ip}`;
      const kind = t && store.clients.get(t.clientId)?.type === 'member' ? 'member' : 'public';
      if (!buckets.take(key, kind))
        return reply
          .code(503)
          .type('text/html')
          .send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
    }
  });

  // A rule with afterStore: the request was handled (and stored); its answer fails now.
  app.addHook('onSend', async (req, reply, payload) => {
    const after = failAfterHandling.get(req);
    if (!after) return payload;
    failAfterHandling.delete(req);
    if (after.kind === 'status') {
      reply.removeHeader('location');
      reply.code(after.status).type('text/plain');
      return `Injected fault after handling: HTTP ${after.status}`;
    }
    if (after.kind === 'timeout') await new Promise<void>((resolve) => req.raw.socket.once('close', resolve));
    else req.raw.socket.destroy();
    return payload;
  });

  const dispatcher = new ApiDispatcher(ctx);
  const authorize = new AuthorizeService(ctx);
  registerApiRoutes(app, ctx, dispatcher);
  registerOAuthRoutes(app, ctx);
  registerRegistryUi(app, ctx, { authorize, view: dispatcher.view });
  if (opts.control) registerControlRoutes(app, ctx, { authorize, view: dispatcher.view, buckets, faults });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof SandboxError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof OrcidApiError)
      return reply.code(err.status).send({ error: err.message, orcidError: err.body });
    if (err instanceof SyntaxError) return reply.code(400).send({ error: `invalid JSON: ${err.message}` });
    req.log.error(err);
    return reply
      .code(500)
      .send({ error: 'internal error in the ORCID simulator', detail: (err as Error).message });
  });

  const webhooks = new WebhookDispatcher(ctx, faults);
  webhooks.start();

  let snapshotTimer: NodeJS.Timeout | null = null;
  if (opts.snapshotFile) {
    const file = opts.snapshotFile;
    store.onRecordChange(() => {
      snapshotTimer ??= setTimeout(() => {
        snapshotTimer = null;
        store.saveSnapshotFile(file);
      }, 200);
    });
  }

  return {
    app,
    ctx,
    faults,
    buckets,
    webhooks,
    async listen(port: number, host = '127.0.0.1') {
      await app.listen({ port, host });
      const addr = app.server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      const base = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
      if (!opts.publicUrl) ctx.urls.setBase(base);
      return base;
    },
    async close() {
      await webhooks.stop();
      if (snapshotTimer) clearTimeout(snapshotTimer);
      if (opts.snapshotFile) store.saveSnapshotFile(opts.snapshotFile);
      await app.close();
    },
  };
}
