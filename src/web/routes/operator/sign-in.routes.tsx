// The operator's own sign-in, apart from every organisation's: an OpenID provider named by the
// configuration (LANYARD_OPERATOR_OIDC_*), whose verified e-mail address must be an operator's;
// and, in the demo only, the demo operator's password. A fresh session either way (no fixation).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OidcSignIn } from '../../../identity/oidc-sign-in.js';
import type { OperatorAccessService } from '../../../services/operator-access.service.js';
import { webErrors } from '../../errors.js';
import { OperatorSignInPage } from '../../views/operator.js';
import { sendPage } from '../portal/portal-context.js';
import { operatorContext } from './operator-context.js';

export interface OperatorSignInOptions {
  oidc?: { issuer: string; clientId: string; clientSecret?: string };
  /** The demo operator signs in with a password (the embedded demo only). */
  passwords?: boolean;
}

interface Deps {
  access: OperatorAccessService;
  oidc: OidcSignIn;
  publicUrl: () => string;
  options: OperatorSignInOptions;
}

const OIDC_KEY = 'operator';

export function operatorSignInRoutes(app: FastifyInstance, d: Deps): void {
  const { options } = d;
  const oidcSettings = options.oidc
    ? { issuer: options.oidc.issuer, clientId: options.oidc.clientId, scope: 'openid email' }
    : null;
  const redirectUri = () => `${d.publicUrl().replace(/\/+$/, '')}/operator/sign-in/oidc/callback`;

  const page = (req: FastifyRequest, reply: FastifyReply, error: string | null, status = 200) => {
    const c = operatorContext(req, reply, null);
    return sendPage(
      reply,
      <OperatorSignInPage
        c={c}
        oidc={oidcSettings !== null}
        password={options.passwords === true}
        error={error ? c.t(error) : null}
      />,
      status,
    );
  };

  const open = async (req: FastifyRequest, reply: FastifyReply, email: string) => {
    await req.session.regenerate();
    req.session.operator = { email: email.toLowerCase(), at: Date.now() };
    return reply.redirect('/operator/', 303);
  };

  app.get('/operator', async (_req, reply) => reply.redirect('/operator/', 301));
  app.get('/operator/sign-in', async (req, reply) => page(req, reply, null));

  app.post(
    '/operator/sign-in/password',
    { preHandler: [app.csrfProtection, app.limits.signInByAddress, app.limits.signInByAccount] },
    async (req, reply) => {
      if (!options.passwords) throw webErrors.notFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      const email = typeof body.username === 'string' ? body.username.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const ok = email && password && (await d.access.verifyPassword(email, password));
      if (!ok || !(await d.access.isOperator(email))) return page(req, reply, 'badLogin', 401);
      return open(req, reply, email);
    },
  );

  app.post(
    '/operator/sign-in/oidc',
    { preHandler: [app.csrfProtection, app.limits.signInByAddress] },
    async (req, reply) => {
      if (!oidcSettings) throw webErrors.notFound();
      try {
        const { url, pending } = await d.oidc.start(
          OIDC_KEY,
          oidcSettings,
          options.oidc?.clientSecret ?? null,
          redirectUri(),
        );
        req.session.pendingOperatorOidc = pending;
        return reply.redirect(url, 303);
      } catch (e) {
        req.log.warn({ err: e }, 'operator OIDC provider unreachable');
        return page(req, reply, 'operator.signIn.providerDown', 502);
      }
    },
  );

  app.get('/operator/sign-in/oidc/callback', async (req, reply) => {
    const pending = req.session.pendingOperatorOidc;
    if (!oidcSettings || !pending) return page(req, reply, 'operator.signIn.failed', 400);
    req.session.pendingOperatorOidc = undefined;
    let email: string | undefined;
    try {
      const attributes = await d.oidc.finish(
        OIDC_KEY,
        oidcSettings,
        options.oidc?.clientSecret ?? null,
        new URL(req.url, redirectUri()),
        pending,
      );
      email = attributes.email;
    } catch (e) {
      req.log.warn({ err: e }, 'operator OIDC sign-in failed');
      return page(req, reply, 'operator.signIn.failed', 400);
    }
    // Only an address the provider vouches for names an operator.
    if (!email || !(await d.access.isOperator(email)))
      return page(req, reply, 'operator.signIn.notOperator', 403);
    return open(req, reply, email);
  });

  app.post('/operator/signout', { preHandler: app.csrfProtection }, async (req, reply) => {
    await req.session.destroy();
    return reply.redirect('/operator/sign-in', 303);
  });
}
