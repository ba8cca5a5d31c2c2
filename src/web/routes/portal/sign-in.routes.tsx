// Institutional sign-in to the portal: the demo directory (local environment only), OIDC, and
// optionally "Sign in with ORCID" for people who already connected. Every sign-in rotates the
// session id.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tenant } from '../../../db/rows.js';
import { localIdOf, type PersonAttributes } from '../../../domain/tenant.js';
import { type DemoDirectory, demoDirectoryEnabled } from '../../../identity/demo-directory.js';
import { type OidcSignIn, UnverifiedEmail } from '../../../identity/oidc-sign-in.js';
import type { SamlSignIn } from '../../../identity/saml-sign-in.js';
import type { Logger } from '../../../logger.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { CallbackQuery } from '../../../services/connect-orcid.service.js';
import type { SignInService } from '../../../services/sign-in.service.js';
import { webErrors } from '../../errors.js';
import { SignInPage } from '../../views/portal.js';
import { type PortalDeps, pageContext, sendPage, signedInPerson } from './portal-context.js';

export interface SignInDeps extends PortalDeps {
  signIns: SignInService;
  /** "Try sign-in" from the console's settings is for administrators. */
  admins: AdminAccessService;
  directory: DemoDirectory;
  oidc: OidcSignIn;
  saml: SamlSignIn;
  logger: Logger;
  publicUrl: string;
}

export function renderSignIn(
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  d: PortalDeps,
  error: string | null,
  status = 200,
) {
  const c = pageContext(req, reply, tenant, d.orcid, false);
  const s = tenant.sign_in;
  return sendPage(
    reply,
    <SignInPage
      c={c}
      directory={demoDirectoryEnabled(tenant)}
      oidcLabel={s.oidc ? (s.oidc.label ?? '') : null}
      samlLabel={s.saml ? (s.saml.label ?? '') : null}
      orcidSignIn={s.orcidSignIn === true}
      error={error}
    />,
    status,
  );
}

/** A fresh session (new id: no fixation) for this person, audited, then their portal page. */
async function openSession(
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  personId: string,
  method: string,
  signIns: SignInService,
) {
  const back = req.session.returnTo;
  await req.session.regenerate();
  req.session.tenantId = tenant.id;
  req.session.personId = personId;
  req.session.signedInAt = Date.now();
  await signIns.recordSignIn(tenant.id, personId, method);
  // Only a page of this organisation's console asks to come back.
  const home = `/o/${tenant.slug}/`;
  return reply.redirect(back?.startsWith(`${home}admin/`) ? back : home, 303);
}

export function signInRoutes(app: FastifyInstance, d: SignInDeps) {
  const t = (req: FastifyRequest, reply: FastifyReply, tenant: Tenant) =>
    pageContext(req, reply, tenant, d.orcid, false).t;

  /** Signs the person these attributes describe in, in a fresh session. */
  const signIn = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    attributes: PersonAttributes,
    method: string,
  ) => {
    const person = await d.signIns.personFromSignIn(tenant.id, attributes);
    if (!person)
      return renderSignIn(
        req,
        reply,
        tenant,
        d,
        t(req, reply, tenant)('signInFailed', { reason: 'no id' }),
        400,
      );
    return openSession(req, reply, tenant, person.id, method, d.signIns);
  };

  const limited = [app.csrfProtection, app.limits.signInByAddress];
  app.post(
    '/o/:tenant/signin/directory',
    { preHandler: [...limited, app.limits.signInByAccount] },
    async (req, reply) => {
      const tenant = req.tenant;
      if (!tenant || !demoDirectoryEnabled(tenant)) throw webErrors.notFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const username = typeof body.username === 'string' ? body.username : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const attributes =
        username && password ? await d.directory.verify(tenant.id, username, password) : null;
      if (!attributes) return renderSignIn(req, reply, tenant, d, t(req, reply, tenant)('badLogin'), 401);
      return signIn(req, reply, tenant, attributes, 'directory');
    },
  );

  const oidcRedirectUri = (tenant: Tenant) => `${d.publicUrl}/o/${tenant.slug}/signin/oidc/callback`;

  /**
   * "Try sign-in" (the console's sign-in settings): the flow runs as for anyone, but its answer
   * signs nobody in; the administrator, still signed in as themselves, is shown who the identity
   * provider named and the local id Lanyard would give them. Administrators only.
   */
  const isTrial = async (req: FastifyRequest, tenant: Tenant) => {
    if ((req.body as { trial?: unknown } | undefined)?.trial !== 'yes') return false;
    const person = await signedInPerson(req, tenant, d.portal);
    if (!person || !(await d.admins.isAdmin(tenant, person))) throw webErrors.adminRequired(person !== null);
    return true;
  };
  const tried = (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    outcome: PersonAttributes | string,
  ) => {
    const name =
      typeof outcome === 'string' ? '' : [outcome.givenNames, outcome.familyName].filter(Boolean).join(' ');
    req.session.flash =
      typeof outcome === 'string'
        ? { key: 'console.signIn.tryFailed', values: { reason: outcome } }
        : {
            key: 'console.signIn.tried',
            values: { localId: localIdOf(outcome) ?? '-', email: outcome.email ?? '-', name: name || '-' },
          };
    return reply.redirect(`/o/${tenant.slug}/admin/settings/sign-in`, 303);
  };

  app.post('/o/:tenant/signin/oidc', { preHandler: limited }, async (req, reply) => {
    const tenant = req.tenant;
    const settings = tenant?.sign_in.oidc;
    if (!tenant || !settings) throw webErrors.notFound();
    const trial = await isTrial(req, tenant);
    try {
      const secret = await d.signIns.oidcClientSecret(tenant.id);
      const { url, pending } = await d.oidc.start(tenant.id, settings, secret, oidcRedirectUri(tenant));
      req.session.pendingOidc = { ...pending, tenantId: tenant.id, trial };
      return reply.redirect(url, 303);
    } catch (e) {
      d.logger.error({ err: e instanceof Error ? e.message : e }, 'institutional OIDC unavailable');
      const reason = e instanceof Error ? e.message : String(e);
      if (trial) return tried(req, reply, tenant, reason);
      return renderSignIn(req, reply, tenant, d, t(req, reply, tenant)('signInFailed', { reason }), 502);
    }
  });

  app.get('/o/:tenant/signin/oidc/callback', async (req, reply) => {
    const tenant = req.tenant;
    const settings = tenant?.sign_in.oidc;
    if (!tenant || !settings) throw webErrors.notFound();
    const pending = req.session.pendingOidc;
    req.session.pendingOidc = undefined;
    const fail = (reason: string) =>
      pending?.trial
        ? tried(req, reply, tenant, reason)
        : renderSignIn(req, reply, tenant, d, t(req, reply, tenant)('signInFailed', { reason }), 400);
    if (!pending || pending.tenantId !== tenant.id)
      return fail('this sign-in was not started here, or has already been used');
    try {
      const secret = await d.signIns.oidcClientSecret(tenant.id);
      const attributes = await d.oidc.finish(
        tenant.id,
        settings,
        secret,
        new URL(req.url, d.publicUrl),
        pending,
      );
      if (pending.trial) return tried(req, reply, tenant, attributes);
      return signIn(req, reply, tenant, attributes, 'oidc');
    } catch (e) {
      if (e instanceof UnverifiedEmail) return fail(t(req, reply, tenant)('emailUnverified'));
      return fail(e instanceof Error ? e.message : String(e));
    }
  });

  const acsUrl = (tenant: Tenant) => `${d.publicUrl}/o/${tenant.slug}/signin/saml/acs`;

  app.post('/o/:tenant/signin/saml', { preHandler: limited }, async (req, reply) => {
    const tenant = req.tenant;
    const settings = tenant?.sign_in.saml;
    if (!tenant || !settings) throw webErrors.notFound();
    const trial = await isTrial(req, tenant);
    const relayState = randomBytes(32).toString('base64url');
    req.session.pendingSaml = { tenantId: tenant.id, relayState, trial };
    return reply.redirect(await d.saml.start(settings, acsUrl(tenant), relayState), 303);
  });

  // The IdP's HTTP-POST binding: a cross-site POST, so no session cookie (SameSite=Lax) and no
  // CSRF token. The signed assertion answering a request we sent (single use) is validated
  // here, but it signs nobody in yet: it is held under a one-time ticket and the browser is sent
  // on (a top-level GET, which carries the session cookie) to `complete`, which accepts it only
  // in the session that started the request. A response an attacker obtained for their own
  // request and posts from a victim's browser therefore signs nobody in (login CSRF).
  app.post('/o/:tenant/signin/saml/acs', async (req, reply) => {
    const tenant = req.tenant;
    const settings = tenant?.sign_in.saml;
    if (!tenant || !settings) throw webErrors.notFound();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form: Record<string, string> = {};
    for (const k of ['SAMLResponse', 'RelayState'])
      if (typeof body[k] === 'string') form[k] = body[k] as string;
    try {
      const attributes = await d.saml.finish(settings, acsUrl(tenant), form);
      const ticket = await d.saml.hold({
        tenantId: tenant.id,
        relayState: form.RelayState ?? '',
        attributes,
      });
      return reply.redirect(`/o/${tenant.slug}/signin/saml/complete?ticket=${ticket}`, 303);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      d.logger.warn({ tenant: tenant.slug, reason }, 'SAML response refused');
      return renderSignIn(req, reply, tenant, d, t(req, reply, tenant)('signInFailed', { reason }), 400);
    }
  });

  app.get('/o/:tenant/signin/saml/complete', async (req, reply) => {
    const tenant = req.tenant;
    if (!tenant?.sign_in.saml) throw webErrors.notFound();
    const ticket = (req.query as { ticket?: unknown }).ticket;
    const result = typeof ticket === 'string' && ticket ? await d.saml.take(ticket) : null;
    const pending = req.session.pendingSaml;
    if (pending) req.session.pendingSaml = undefined;
    if (
      !result ||
      !pending ||
      result.tenantId !== tenant.id ||
      pending.tenantId !== tenant.id ||
      !result.relayState ||
      result.relayState !== pending.relayState
    ) {
      d.logger.warn({ tenant: tenant.slug }, 'SAML answer refused: not for this browser session');
      const reason = t(req, reply, tenant)('samlOtherBrowser');
      return renderSignIn(req, reply, tenant, d, t(req, reply, tenant)('signInFailed', { reason }), 400);
    }
    if (pending.trial) return tried(req, reply, tenant, result.attributes);
    return signIn(req, reply, tenant, result.attributes, 'saml');
  });

  // Sign in with ORCID: only people whose iD is already connected here.
  app.post('/o/:tenant/signin/orcid', { preHandler: limited }, async (req, reply) => {
    const tenant = req.tenant;
    if (!tenant?.sign_in.orcidSignIn) throw webErrors.notFound();
    const { oauth } = await d.orcid.for(tenant);
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    req.session.pendingOrcidSignIn = { tenantId: tenant.id, state, nonce };
    const lang = pageContext(req, reply, tenant, d.orcid, false).lang;
    return reply.redirect(
      oauth.authorizeUrl({ scope: 'openid', redirectUri: tenant.redirect_uri, state, nonce, lang }),
      303,
    );
  });

  app.post('/o/:tenant/signout', { preHandler: app.csrfProtection }, async (req, reply) => {
    const tenant = req.tenant;
    await req.session.destroy();
    return reply.redirect(tenant ? `/o/${tenant.slug}/` : '/', 303);
  });
}

/** The second half of "Sign in with ORCID", reached through the tenant's ORCID callback. */
export function orcidSignInCallback(d: SignInDeps) {
  return async (req: FastifyRequest, reply: FastifyReply, tenant: Tenant, q: CallbackQuery) => {
    const pending = req.session.pendingOrcidSignIn!;
    req.session.pendingOrcidSignIn = undefined;
    const tr = pageContext(req, reply, tenant, d.orcid, false).t;
    const fail = (reason: string, status = 400) =>
      renderSignIn(req, reply, tenant, d, tr('signInFailed', { reason }), status);
    if (q.error) return fail(q.error_description ?? q.error, 200);
    if (!q.code) return fail('no code');
    const { oauth } = await d.orcid.for(tenant);
    try {
      const token = await oauth.exchangeCode(q.code, tenant.redirect_uri);
      if (!token.id_token) return fail('ORCID sent no id_token');
      const claims = await oauth.verifyIdToken(token.id_token, {
        nonce: pending.nonce,
        accessToken: token.access_token,
      });
      // The sign-in token is not needed once the iD is known.
      await oauth.revoke(token.access_token).catch(() => undefined);
      const link = await d.signIns.linkOfOrcid(tenant.id, claims.sub);
      if (!link)
        return renderSignIn(req, reply, tenant, d, tr('orcidSignInUnknown', { org: tenant.name }), 403);
      return openSession(req, reply, tenant, link.person_id, 'orcid', d.signIns);
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  };
}
