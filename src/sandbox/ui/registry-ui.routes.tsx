// The registry's browser pages: sign-in, registration, the OAuth consent screen, sign-out,
// account settings (trusted organisations) and the researcher's record page; the inbox is in
// inbox-ui.routes.tsx.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { SECTION_BY_NAME } from '../../../lib/orcid-model/sections.js';
import { OrcidApiError } from '../api/orcid-errors.js';
import type { RecordView } from '../api/record-view.js';
import { parseBody, stripReadOnly } from '../api/record-writes.js';
import type { SandboxContext } from '../context.js';
import { AuthorizePageError, type AuthorizeService } from '../oauth/authorize-service.js';
import { SCOPE_TEXT } from '../oauth/scopes.js';
import { SandboxError } from '../store/sandbox-store.js';
import type { Visibility } from '../store/types.js';
import { messages, pickLang } from './i18n.js';
import { registerInboxUi } from './inbox-ui.routes.js';
import {
  AccountPage,
  ConsentPage,
  ErrorPage,
  PublicRecordPage,
  RecordPage,
  type RecordRow,
  RegisterPage,
  SignInPage,
} from './views.js';

interface Session {
  orcid: string | null;
  csrf: string;
}

const COOKIE = 'sandbox_session';
const OAUTH_KEYS = [
  'client_id',
  'response_type',
  'scope',
  'redirect_uri',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'email',
  'orcid',
  'given_names',
  'family_names',
  'lang',
  'show_login',
];

type Q = Record<string, string | undefined>;

export function registerRegistryUi(
  app: FastifyInstance,
  ctx: SandboxContext,
  deps: { authorize: AuthorizeService; view: RecordView },
): void {
  const { store } = ctx;
  const sessions = new Map<string, Session>();

  const sessionOf = (req: FastifyRequest): Session | undefined => {
    const m = /(?:^|;\s*)sandbox_session=([\w-]+)/.exec(req.headers.cookie ?? '');
    return m ? sessions.get(m[1]!) : undefined;
  };
  const startSession = (reply: FastifyReply, orcid: string | null): Session => {
    const id = randomBytes(24).toString('base64url');
    const s = { orcid, csrf: randomBytes(16).toString('hex') };
    sessions.set(id, s);
    reply.header('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return s;
  };
  const signedIn = (req: FastifyRequest) => {
    const s = sessionOf(req);
    const r = s?.orcid ? store.researchers.get(s.orcid) : undefined;
    return s && r ? { s, r } : undefined;
  };
  const html = (reply: FastifyReply, page: JSX.Element, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html>${page.toString()}`);
  const form = (req: FastifyRequest): Q =>
    Object.fromEntries(new URLSearchParams(typeof req.body === 'string' ? req.body : ''));
  const langOf = (req: FastifyRequest, q: Q) => pickLang(q.lang, req.headers['accept-language']);
  const oauthParams = (q: Q): Q =>
    Object.fromEntries(OAUTH_KEYS.filter((k) => q[k] !== undefined).map((k) => [k, q[k]]));
  const qs = (q: Q) =>
    new URLSearchParams(
      Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();

  // ------------------------------------------------------------------ OAuth authorize

  const showAuthorize = (req: FastifyRequest, reply: FastifyReply, q: Q) => {
    const lang = langOf(req, q);
    const t = messages(lang);
    let check: ReturnType<AuthorizeService['check']>;
    try {
      check = deps.authorize.check(q);
    } catch (e) {
      if (e instanceof AuthorizePageError)
        return html(reply, <ErrorPage t={t} lang={lang} message={e.message} />, 400);
      throw e;
    }
    if ('redirect' in check) return reply.redirect(check.redirect);
    const req0 = check.ok;
    let current = signedIn(req);
    const tooOld =
      req0.maxAge !== undefined && current && store.now() - (current.r.lastLogin ?? 0) > req0.maxAge * 1000;
    if (req0.prompt === 'none') {
      if (!current) return reply.redirect(`${req0.redirectUri}#error=login_required`);
      if (!deps.authorize.canAutoApprove(req0, current.r.orcid))
        return reply.redirect(`${req0.redirectUri}#error=interaction_required`);
    }
    if (req0.prompt === 'login' || tooOld) {
      // Sign the researcher out of any session first; the sign-in page returns here without prompt=login.
      current = undefined;
      startSession(reply, null);
    }
    if (!current) {
      const back = {
        ...oauthParams(q),
        prompt: q.prompt === 'login' ? undefined : q.prompt,
        max_age: undefined,
      };
      const target = q.show_login === 'false' ? '/register' : '/signin';
      return reply.redirect(`${target}?oauth&${qs(back)}`);
    }
    if (deps.authorize.canAutoApprove(req0, current.r.orcid))
      return reply.redirect(deps.authorize.approve(req0, current.r));
    const texts = SCOPE_TEXT[lang] ?? SCOPE_TEXT.en!;
    const scopeTexts = [...new Set(req0.scopes.map((s) => texts[s] ?? s))];
    return html(
      reply,
      <ConsentPage
        t={t}
        lang={lang}
        client={req0.client}
        researcher={current.r}
        scopeTexts={scopeTexts}
        hidden={{ ...oauthParams(q), csrf: current.s.csrf }}
      />,
    );
  };

  app.get('/oauth/authorize', async (req, reply) => showAuthorize(req, reply, req.query as Q));

  app.post('/oauth/authorize', async (req, reply) => {
    const f = form(req);
    const lang = langOf(req, f);
    const current = signedIn(req);
    if (!current || f.csrf !== current.s.csrf)
      return html(
        reply,
        <ErrorPage t={messages(lang)} lang={lang} message="Your session expired. Please start again." />,
        403,
      );
    let check: ReturnType<AuthorizeService['check']>;
    try {
      check = deps.authorize.check(f);
    } catch (e) {
      if (e instanceof AuthorizePageError)
        return html(reply, <ErrorPage t={messages(lang)} lang={lang} message={e.message} />, 400);
      throw e;
    }
    if ('redirect' in check) return reply.redirect(check.redirect);
    return reply.redirect(
      f.decision === 'approve' ? deps.authorize.approve(check.ok, current.r) : deps.authorize.deny(check.ok),
    );
  });

  // ------------------------------------------------------------------ sign in, register, sign out

  const afterSignIn = (q: Q) => (q.client_id ? `/oauth/authorize?${qs(oauthParams(q))}` : '/my-orcid');

  app.get('/signin', async (req, reply) => {
    const q = req.query as Q;
    const lang = langOf(req, q);
    const prefillResearcher = q.orcid ? store.researchers.get(q.orcid) : undefined;
    const login = prefillResearcher ? prefillResearcher.orcid : (q.email ?? '');
    return html(
      reply,
      <SignInPage
        t={messages(lang)}
        lang={lang}
        login={login}
        hidden={oauthParams(q)}
        registerHref={`/register?${qs(oauthParams(q))}`}
      />,
    );
  });

  app.post('/signin', async (req, reply) => {
    const f = form(req);
    const lang = langOf(req, f);
    const r = store.findResearcherByLogin(f.username ?? '');
    if (!r || r.password !== f.password || r.state === 'deactivated') {
      return html(
        reply,
        <SignInPage
          t={messages(lang)}
          lang={lang}
          login={f.username ?? ''}
          error={messages(lang).badLogin}
          hidden={oauthParams(f)}
          registerHref={`/register?${qs(oauthParams(f))}`}
        />,
        401,
      );
    }
    r.lastLogin = store.now();
    startSession(reply, r.orcid);
    return reply.redirect(afterSignIn(f));
  });

  app.get('/register', async (req, reply) => {
    const q = req.query as Q;
    const lang = langOf(req, q);
    const values = {
      given_names: q.given_names ?? '',
      family_names: q.family_names ?? '',
      email: q.email ?? '',
    };
    return html(
      reply,
      <RegisterPage t={messages(lang)} lang={lang} values={values} hidden={oauthParams(q)} />,
    );
  });

  app.post('/register', async (req, reply) => {
    const f = form(req);
    const lang = langOf(req, f);
    const t = messages(lang);
    const values = {
      given_names: f.given_names ?? '',
      family_names: f.family_names ?? '',
      email: f.email ?? '',
    };
    const again = (error: string) =>
      html(
        reply,
        <RegisterPage t={t} lang={lang} values={values} error={error} hidden={oauthParams(f)} />,
        400,
      );
    if (!values.given_names.trim() || !values.email.trim()) return again(t.required);
    if ((f.password ?? '').length < 8) return again(t.passwordTooShort);
    try {
      const r = store.addResearcher({
        email: values.email,
        password: f.password!,
        givenNames: values.given_names.trim(),
        familyNames: values.family_names.trim(),
        locale: lang,
      });
      r.lastLogin = store.now();
      startSession(reply, r.orcid);
      return reply.redirect(afterSignIn(f));
    } catch (e) {
      if (e instanceof SandboxError && e.status === 409) return again(t.emailTaken);
      throw e;
    }
  });

  const signOut = (req: FastifyRequest) => {
    const m = /(?:^|;\s*)sandbox_session=([\w-]+)/.exec(req.headers.cookie ?? '');
    if (m) sessions.delete(m[1]!);
  };

  app.get('/signout', async (req, reply) => {
    signOut(req);
    return reply.header('set-cookie', `${COOKIE}=; Path=/; Max-Age=0`).redirect('/signin');
  });

  app.get('/userStatus.json', async (req, reply) => {
    const q = req.query as Q;
    if (q.logUserOut === 'true') {
      signOut(req);
      reply.header('set-cookie', `${COOKIE}=; Path=/; Max-Age=0`);
    }
    return reply
      .header('access-control-allow-origin', req.headers.origin ?? '*')
      .header('access-control-allow-credentials', 'true')
      .send({ loggedIn: q.logUserOut === 'true' ? false : Boolean(signedIn(req)) });
  });

  // ------------------------------------------------------------------ account and record

  const requireSignIn = (req: FastifyRequest, reply: FastifyReply) => {
    const current = signedIn(req);
    if (!current) {
      reply.redirect('/signin');
      return undefined;
    }
    return current;
  };
  const checkCsrf = (req: FastifyRequest, reply: FastifyReply, f: Q) => {
    const current = requireSignIn(req, reply);
    if (!current) return undefined;
    if (f.csrf !== current.s.csrf) {
      reply.code(403).send('CSRF token missing or wrong');
      return undefined;
    }
    return current;
  };

  registerInboxUi(app, ctx, { requireSignIn, checkCsrf, html, form });

  app.get('/account', async (req, reply) => {
    const current = requireSignIn(req, reply);
    if (!current) return reply;
    const lang = pickLang(current.r.locale, req.headers['accept-language']);
    const clientIds = [...new Set(store.activeTokens(current.r.orcid).map((t) => t.clientId))];
    const clients = clientIds.map((id) => store.clients.get(id)).filter((c) => c !== undefined);
    return html(
      reply,
      <AccountPage
        t={messages(lang)}
        lang={lang}
        researcher={current.r}
        clients={clients}
        csrf={current.s.csrf}
      />,
    );
  });

  app.post('/account/revoke', async (req, reply) => {
    const f = form(req);
    const current = checkCsrf(req, reply, f);
    if (!current) return reply;
    store.revokeClientForResearcher(current.r.orcid, f.client_id ?? '');
    return reply.redirect('/account');
  });

  app.get('/my-orcid', async (req, reply) => {
    const current = requireSignIn(req, reply);
    if (!current) return reply;
    const lang = pickLang(current.r.locale, req.headers['accept-language']);
    const rows: RecordRow[] = store
      .itemsOf(current.r.orcid)
      .sort((a, b) => a.putCode - b.putCode)
      .map((item) => {
        const json = deps.view.item(item);
        const source = json.source as { 'source-name'?: { value?: string } } | null;
        return {
          item,
          section: item.section,
          title: itemTitle(item.data),
          sourceName: source?.['source-name']?.value ?? '',
          json: JSON.stringify(item.data, null, 2),
          editable: 'orcid' in item.source,
        };
      });
    return html(
      reply,
      <RecordPage t={messages(lang)} lang={lang} researcher={current.r} rows={rows} csrf={current.s.csrf} />,
    );
  });

  const ownItem = (orcid: string, putCode: string) => {
    const item = store.items.get(Number(putCode));
    return item && item.orcid === orcid ? item : undefined;
  };

  app.post<{ Params: { pc: string } }>('/my-orcid/items/:pc/delete', async (req, reply) => {
    const f = form(req);
    const current = checkCsrf(req, reply, f);
    if (!current) return reply;
    const item = ownItem(current.r.orcid, req.params.pc);
    if (item) store.deleteItem(item);
    return reply.redirect('/my-orcid');
  });

  app.post<{ Params: { pc: string } }>('/my-orcid/items/:pc/visibility', async (req, reply) => {
    const f = form(req);
    const current = checkCsrf(req, reply, f);
    if (!current) return reply;
    const item = ownItem(current.r.orcid, req.params.pc);
    if (item && ['public', 'limited', 'registered-only', 'private'].includes(f.visibility ?? ''))
      store.setVisibility(item, f.visibility as Visibility);
    return reply.redirect('/my-orcid');
  });

  app.post<{ Params: { pc: string } }>('/my-orcid/items/:pc/edit', async (req, reply) => {
    const f = form(req);
    const current = checkCsrf(req, reply, f);
    if (!current) return reply;
    const item = ownItem(current.r.orcid, req.params.pc);
    if (!item || !('orcid' in item.source)) return reply.redirect('/my-orcid');
    const section = SECTION_BY_NAME.get(item.section)!;
    const lang = pickLang(current.r.locale, req.headers['accept-language']);
    try {
      store.updateItem(
        item,
        stripReadOnly(parseBody(ctx, section.ns, section.element, 'application/json', f.json ?? '')),
      );
    } catch (e) {
      if (e instanceof OrcidApiError)
        return html(reply, <ErrorPage t={messages(lang)} lang={lang} message={e.message} />, 400);
      throw e;
    }
    return reply.redirect('/my-orcid');
  });

  // Registry content negotiation (SPEC 6.1): machine-readable requests go to the public API.
  app.get<{ Params: { orcid: string } }>('/:orcid', async (req, reply) => {
    const { orcid } = req.params;
    if (!/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(orcid)) return reply.code(404).send('Not found');
    const accept = req.headers.accept ?? '';
    if (/application\/(vnd\.orcid\+)?(xml|json)|orcid\+/.test(accept))
      return reply.redirect(`${ctx.urls.publicApi}/v3.0/${orcid}`);
    const r = store.researchers.get(orcid);
    if (r?.state !== 'active') return reply.code(404).send('Not found');
    const rows = store
      .itemsOf(orcid)
      .filter((i) => i.visibility === 'public')
      .sort((a, b) => a.putCode - b.putCode)
      .map((i) => ({ section: i.section, title: itemTitle(i.data) }));
    return html(
      reply,
      <PublicRecordPage t={messages('en')} uri={ctx.urls.orcidUri(orcid)} researcher={r} rows={rows} />,
    );
  });
}

function itemTitle(data: Record<string, unknown>): string {
  const v = (x: unknown): string | undefined =>
    typeof x === 'string'
      ? x
      : x && typeof x === 'object' && 'value' in x
        ? String((x as { value: unknown }).value)
        : undefined;
  const title = data.title as Record<string, unknown> | undefined;
  const org = data.organization as Record<string, unknown> | undefined;
  const orgName = v(org?.name);
  const role = v(data['role-title']);
  return (
    v(title?.title) ??
    (orgName && role ? `${role}, ${orgName}` : orgName) ??
    v(data.content) ??
    v(data['url-name']) ??
    v(data.url) ??
    v(data['external-id-value']) ??
    v(data.country) ??
    v((data.proposal as Record<string, Record<string, unknown>> | undefined)?.title?.title) ??
    v(data['review-group-id']) ??
    '(untitled)'
  );
}
