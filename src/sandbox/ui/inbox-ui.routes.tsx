// The researcher's ORCID inbox: permission requests member organisations posted through the API
// (SPEC 6.10). Opening one marks it read; "Grant permissions" marks it actioned and leads to the
// authorization URL it carries, on the registry; "Archive" archives it. The account page's
// preference ("allow trusted organisations to ask me") decides whether requests are accepted.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { JsonObject } from '../../../lib/orcid-model/codec.js';
import { authorizationTarget } from '../api/notification-permissions.js';
import type { SandboxContext } from '../context.js';
import type { InboxNotification, Researcher } from '../store/types.js';
import { messages, pickLang } from './i18n.js';
import { type InboxEntry, InboxNotificationPage, InboxPage } from './views.js';

type Q = Record<string, string | undefined>;
type Current = { s: { csrf: string }; r: Researcher };

export interface InboxUiHelpers {
  requireSignIn(req: FastifyRequest, reply: FastifyReply): Current | undefined;
  checkCsrf(req: FastifyRequest, reply: FastifyReply, f: Q): Current | undefined;
  html(reply: FastifyReply, page: JSX.Element, status?: number): FastifyReply;
  form(req: FastifyRequest): Q;
}

export function registerInboxUi(app: FastifyInstance, ctx: SandboxContext, h: InboxUiHelpers): void {
  const { store } = ctx;
  const langOf = (req: FastifyRequest, r: Researcher) => pickLang(r.locale, req.headers['accept-language']);

  const entry = (n: InboxNotification): InboxEntry => {
    const items = ((n.data.items as JsonObject | null)?.item ?? []) as JsonObject[];
    return {
      putCode: n.putCode,
      from: store.clients.get(n.clientId)?.name ?? n.clientId,
      subject: String(n.data['notification-subject'] ?? ''),
      intro: String(n.data['notification-intro'] ?? ''),
      items: items.map((i) => ({ type: String(i['item-type'] ?? ''), name: String(i['item-name'] ?? '') })),
      createdAt: n.createdAt,
      read: n.readAt !== null,
      archived: n.archivedAt !== null,
    };
  };
  const mine = (orcid: string, putCode: string) => {
    const n = store.notifications.get(Number(putCode));
    return n && n.orcid === orcid ? n : undefined;
  };

  app.get('/inbox', async (req, reply) => {
    const current = h.requireSignIn(req, reply);
    if (!current) return reply;
    const lang = langOf(req, current.r);
    return h.html(
      reply,
      <InboxPage
        t={messages(lang)}
        lang={lang}
        researcher={current.r}
        entries={store.inboxOf(current.r.orcid).map(entry)}
      />,
    );
  });

  app.get<{ Params: { pc: string } }>('/inbox/:pc', async (req, reply) => {
    const current = h.requireSignIn(req, reply);
    if (!current) return reply;
    const n = mine(current.r.orcid, req.params.pc);
    if (!n) return reply.code(404).send('Not found');
    n.readAt ??= store.now();
    const lang = langOf(req, current.r);
    return h.html(
      reply,
      <InboxNotificationPage
        t={messages(lang)}
        lang={lang}
        researcher={current.r}
        entry={entry(n)}
        csrf={current.s.csrf}
      />,
    );
  });

  /** A researcher's action on one of their requests (CSRF-checked): marks it, answers with `then`. */
  const action = (
    path: string,
    mark: (n: InboxNotification, at: number) => void,
    then: (n: InboxNotification) => string,
  ) =>
    app.post<{ Params: { pc: string } }>(path, async (req, reply) => {
      const current = h.checkCsrf(req, reply, h.form(req));
      if (!current) return reply;
      const n = mine(current.r.orcid, req.params.pc);
      if (!n) return reply.code(404).send('Not found');
      const at = store.now();
      n.readAt ??= at;
      mark(n, at);
      return reply.redirect(then(n), 303);
    });
  action(
    '/inbox/:pc/grant',
    (n, at) => {
      n.actionedAt ??= at;
    },
    (n) => authorizationTarget(ctx.urls.registry, n.data),
  );
  action(
    '/inbox/:pc/archive',
    (n, at) => {
      n.archivedAt ??= at;
    },
    () => '/inbox',
  );

  app.post('/account/preferences', async (req, reply) => {
    const f = h.form(req);
    const current = h.checkCsrf(req, reply, f);
    if (!current) return reply;
    current.r.memberRequests = f.member_requests === 'yes';
    return reply.redirect('/account', 303);
  });
}
