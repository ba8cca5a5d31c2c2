// An organisation's administrator invited by the operator: the mailed link shows what accepting
// does, and accepting (a POST, so that a mail scanner opening the link changes nothing) makes the
// invitee an administrator and signs them in, in a fresh session, on the settings page. A link
// used before, expired, or unknown here is refused with the reason, and nothing changes.
import type { FastifyInstance } from 'fastify';
import type { AdminInvitationService } from '../../../services/admin-invitation.service.js';
import type { SignInService } from '../../../services/sign-in.service.js';
import { tenantRoute } from '../../plugins/tenant-scope.js';
import { AdminWelcomePage } from '../../views/portal.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';

export interface WelcomeRouteDeps extends PortalDeps {
  invitations: AdminInvitationService;
  signIns: SignInService;
}

const REFUSED_STATUS = { used: 410, expired: 410, unknown: 404 } as const;

export function welcomeRoutes(app: FastifyInstance, d: WelcomeRouteDeps): void {
  const tokenOf = (params: unknown) => {
    const token = (params as { token?: unknown }).token;
    return typeof token === 'string' && /^[\w-]{20,100}$/.test(token) ? token : '';
  };

  app.get(
    '/o/:tenant/welcome/:token',
    tenantRoute(async (req, reply, tenant) => {
      const token = tokenOf(req.params);
      const checked = token ? await d.invitations.check(tenant, token) : { state: 'unknown' as const };
      const c = pageContext(req, reply, tenant, d.orcid, false);
      return sendPage(
        reply,
        <AdminWelcomePage
          c={c}
          state={checked.state}
          email={checked.state === 'valid' ? checked.invitation.email : null}
          action={`/o/${tenant.slug}/welcome/${token}`}
        />,
        checked.state === 'valid' ? 200 : REFUSED_STATUS[checked.state],
      );
    }),
  );

  app.post(
    '/o/:tenant/welcome/:token',
    { preHandler: app.csrfProtection },
    tenantRoute(async (req, reply, tenant) => {
      const token = tokenOf(req.params);
      const accepted = token
        ? await d.invitations.accept(tenant, token)
        : { ok: false as const, state: 'unknown' as const };
      if (!accepted.ok) {
        const c = pageContext(req, reply, tenant, d.orcid, false);
        return sendPage(
          reply,
          <AdminWelcomePage c={c} state={accepted.state} email={null} action="" />,
          REFUSED_STATUS[accepted.state],
        );
      }
      await req.session.regenerate();
      req.session.tenantId = tenant.id;
      req.session.personId = accepted.person.id;
      req.session.signedInAt = Date.now();
      await d.signIns.recordSignIn(tenant.id, accepted.person.id, 'admin-invitation');
      req.session.flash = { key: 'welcome.accepted', values: {} };
      return reply.redirect(`/o/${tenant.slug}/admin/settings`, 303);
    }),
  );
}
