// The control API at /__sandbox/: a contract other tools rely on (issue #2, item 8).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sectionByAnyName } from '../../../lib/orcid-model/sections.js';
import { authorizationTarget } from '../api/notification-permissions.js';
import type { RecordView } from '../api/record-view.js';
import { parseBody, stripReadOnly } from '../api/record-writes.js';
import type { SandboxContext } from '../context.js';
import { AuthorizePageError, type AuthorizeService } from '../oauth/authorize-service.js';
import { SandboxError, type SandboxStore } from '../store/sandbox-store.js';
import type { Visibility } from '../store/types.js';
import type { FaultRules, TokenBuckets } from '../traffic.js';

const clientSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  website: z.string().optional(),
  type: z.enum(['member', 'public']),
  premium: z.boolean().optional(),
  redirectUris: z.array(z.string()),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
});

const researcherSchema = z.object({
  email: z.string().email(),
  password: z.string().min(1),
  givenNames: z.string().min(1),
  familyNames: z.string(),
  orcid: z.string().optional(),
  creditName: z.string().nullable().optional(),
  defaultVisibility: z.enum(['public', 'limited', 'registered-only', 'private']).optional(),
});

const authorizeSchema = z.object({
  orcid: z.string(),
  clientId: z.string(),
  scope: z.string(),
  redirectUri: z.string(),
  responseType: z.string().optional(),
  state: z.string().optional(),
  nonce: z.string().optional(),
  deny: z.boolean().optional(),
});

const stateSchema = z.object({
  state: z.enum(['active', 'deprecated', 'locked', 'deactivated']),
  primary: z.string().optional(),
});

const itemSchema = z.object({
  section: z.string(),
  item: z.record(z.string(), z.unknown()),
  visibility: z.string().optional(),
});

const rateLimitSchema = z.object({
  memberPerSecond: z.number().positive().optional(),
  publicPerSecond: z.number().positive().optional(),
  burst: z.number().positive().optional(),
  enabled: z.boolean().optional(),
});

const faultSchema = z.object({
  method: z.string().optional(),
  pathPattern: z.string().optional(),
  status: z.number().int().min(100).max(599).optional(),
  rate: z.number().min(0).max(1),
  latencyMs: z.number().min(0).optional(),
  timeout: z.boolean().optional(),
  reset: z.boolean().optional(),
  afterStore: z.boolean().optional(),
  dropDelivery: z.boolean().optional(),
});

export interface ControlDeps {
  authorize: AuthorizeService;
  view: RecordView;
  buckets: TokenBuckets;
  faults: FaultRules;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(typeof body === 'string' && body ? JSON.parse(body) : (body ?? {}));
  if (!r.success)
    throw new SandboxError(
      400,
      r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return r.data;
}

export function seedStore(store: SandboxStore, seed: { clients?: unknown[]; researchers?: unknown[] }): void {
  for (const c of seed.clients ?? []) store.addClient(parse(clientSchema, c));
  for (const r of seed.researchers ?? []) store.addResearcher(parse(researcherSchema, r));
}

export function registerControlRoutes(app: FastifyInstance, ctx: SandboxContext, deps: ControlDeps): void {
  const { store } = ctx;
  const researcher = (orcid: string) => {
    const r = store.researchers.get(orcid);
    if (!r) throw new SandboxError(404, `no researcher ${orcid}`);
    return r;
  };

  app.post('/__sandbox/clients', async (req, reply) => {
    const c = store.addClient(parse(clientSchema, req.body));
    return reply.code(201).send({ clientId: c.clientId, clientSecret: c.clientSecret });
  });

  app.post('/__sandbox/clients/:clientId/secret', async (req) => {
    const c = store.resetClientSecret((req.params as { clientId: string }).clientId);
    return { clientId: c.clientId, clientSecret: c.clientSecret };
  });

  app.post('/__sandbox/researchers', async (req, reply) => {
    const r = store.addResearcher(parse(researcherSchema, req.body));
    return reply.code(201).send({ orcid: r.orcid });
  });

  app.post('/__sandbox/authorize', async (req) => {
    const b = parse(authorizeSchema, req.body);
    const r = researcher(b.orcid);
    try {
      const check = deps.authorize.check({
        client_id: b.clientId,
        redirect_uri: b.redirectUri,
        response_type: b.responseType ?? 'code',
        scope: b.scope,
        state: b.state,
        nonce: b.nonce,
      });
      if ('redirect' in check) return { location: check.redirect };
      r.lastLogin = store.now();
      return { location: b.deny ? deps.authorize.deny(check.ok) : deps.authorize.approve(check.ok, r) };
    } catch (e) {
      if (e instanceof AuthorizePageError) throw new SandboxError(400, e.message);
      throw e;
    }
  });

  app.post<{ Params: { orcid: string } }>('/__sandbox/researchers/:orcid/revoke', async (req, reply) => {
    const { clientId } = parse(z.object({ clientId: z.string() }), req.body);
    researcher(req.params.orcid);
    store.revokeClientForResearcher(req.params.orcid, clientId);
    return reply.code(204).send();
  });

  app.post<{ Params: { orcid: string } }>('/__sandbox/researchers/:orcid/preferences', async (req, reply) => {
    const b = parse(z.object({ memberRequests: z.boolean() }), req.body);
    researcher(req.params.orcid).memberRequests = b.memberRequests;
    return reply.code(204).send();
  });

  app.post<{ Params: { orcid: string } }>('/__sandbox/researchers/:orcid/state', async (req, reply) => {
    const b = parse(stateSchema, req.body);
    const r = researcher(req.params.orcid);
    if (b.state === 'deprecated') {
      if (!b.primary || !store.researchers.has(b.primary))
        throw new SandboxError(400, 'a deprecated record needs the iD of an existing primary record');
      r.primary = b.primary;
    }
    r.state = b.state;
    store.touch(r.orcid);
    return reply.code(204).send();
  });

  app.post<{ Params: { orcid: string } }>('/__sandbox/researchers/:orcid/items', async (req, reply) => {
    const b = parse(itemSchema, req.body);
    const r = researcher(req.params.orcid);
    const section = sectionByAnyName(b.section);
    if (!section) throw new SandboxError(400, `unknown section ${b.section}`);
    const parsed = parseBody(ctx, section.ns, section.element, 'application/json', JSON.stringify(b.item));
    const vis = (b.visibility ?? parsed.visibility ?? r.defaultVisibility) as Visibility;
    const item = store.addItem(r.orcid, section.name, stripReadOnly(parsed), { orcid: r.orcid }, vis);
    return reply.code(201).send({ putCode: item.putCode });
  });

  const findItem = (orcid: string, sectionName: string, putCode: string) => {
    const section = sectionByAnyName(sectionName);
    const item = store.items.get(Number(putCode));
    if (!section || !item || item.orcid !== orcid || item.section !== section.name)
      throw new SandboxError(404, `no ${sectionName} item ${putCode} on ${orcid}`);
    return { section, item };
  };

  app.put<{ Params: { orcid: string; section: string; putCode: string } }>(
    '/__sandbox/researchers/:orcid/items/:section/:putCode',
    async (req, reply) => {
      const { section, item } = findItem(req.params.orcid, req.params.section, req.params.putCode);
      const body = (typeof req.body === 'string' ? JSON.parse(req.body) : req.body) as Record<
        string,
        unknown
      >;
      const payload = (body.item ?? body) as Record<string, unknown>;
      const visibility = (body.visibility ?? payload.visibility) as Visibility | undefined;
      const parsed = parseBody(ctx, section.ns, section.element, 'application/json', JSON.stringify(payload));
      if (visibility) item.visibility = visibility;
      store.updateItem(item, stripReadOnly(parsed));
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { orcid: string; section: string; putCode: string } }>(
    '/__sandbox/researchers/:orcid/items/:section/:putCode',
    async (req, reply) => {
      const { item } = findItem(req.params.orcid, req.params.section, req.params.putCode);
      store.deleteItem(item);
      return reply.code(204).send();
    },
  );

  app.put('/__sandbox/rate-limit', async (req) => {
    const b = parse(rateLimitSchema, req.body);
    Object.assign(
      deps.buckets.settings,
      Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)),
    );
    deps.buckets.clear();
    return deps.buckets.settings;
  });

  app.post('/__sandbox/faults', async (req, reply) => {
    const rule = parse(faultSchema, req.body);
    if (rule.pathPattern) {
      try {
        new RegExp(rule.pathPattern);
      } catch {
        throw new SandboxError(400, `pathPattern is not a regular expression: ${rule.pathPattern}`);
      }
    }
    deps.faults.add(rule);
    return reply.code(201).send({ rules: deps.faults.rules.length });
  });

  app.delete('/__sandbox/faults', async (_req, reply) => {
    deps.faults.clear();
    return reply.code(204).send();
  });

  app.get('/__sandbox/state', async () => ({
    researchers: [...store.researchers.values()].map((r) => ({
      orcid: r.orcid,
      email: r.email,
      givenNames: r.givenNames,
      familyNames: r.familyNames,
      state: r.state,
      primary: r.primary,
      memberRequests: r.memberRequests !== false,
      inbox: store.inboxOf(r.orcid).map((n) => ({
        putCode: n.putCode,
        clientId: n.clientId,
        subject: n.data['notification-subject'] ?? null,
        grantUrl: authorizationTarget(ctx.urls.registry, n.data),
        readAt: n.readAt,
        actionedAt: n.actionedAt,
        archivedAt: n.archivedAt,
      })),
      items: store.itemsOf(r.orcid).map((i) => ({
        section: i.section,
        putCode: i.putCode,
        sourceClientId: 'clientId' in i.source ? i.source.clientId : null,
        visibility: i.visibility,
        json: deps.view.item(i),
      })),
      tokens: [...store.tokens.values()]
        .filter((t) => t.orcid === r.orcid)
        .map((t) => ({
          clientId: t.clientId,
          scope: t.scopes.join(' '),
          disabled: t.disabled,
          revokeReason: t.revokeReason,
          uses: t.uses ?? 0,
          lastUsedAt: t.lastUsedAt ?? null,
        })),
    })),
    clients: [...store.clients.values()].map((c) => ({ clientId: c.clientId, name: c.name, type: c.type })),
    webhooks: [...store.webhooks.values()],
    webhookDeliveries: store.deliveries,
    groups: [...store.groups.values()],
    requestCounts: Object.fromEntries(store.requestCounts),
  }));

  app.post('/__sandbox/reset', async (_req, reply) => {
    store.reset();
    deps.buckets.clear();
    deps.faults.clear();
    return reply.code(204).send();
  });

  app.post('/__sandbox/clock', async (req) => {
    const { advanceSeconds } = parse(z.object({ advanceSeconds: z.number() }), req.body);
    store.clockOffsetMs += advanceSeconds * 1000;
    return { now: store.now() };
  });
}
