// The operator console under /operator/: the operator's own sign-in (OIDC from the configuration,
// or the demo operator's password in the demo), the organisations with their health (create one
// and invite its first administrator, suspend, resume, delete), and the installation's health.
// Everyone not signed in as an operator gets 403 on every route but the sign-in's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../../../app/container.js';
import { isWebError } from '../../errors.js';
import { wantsJson } from '../../plugins/error-pages.js';
import { OperatorForbiddenPage } from '../../views/operator.js';
import { sendPage } from '../portal/portal-context.js';
import { operatorContext, requireOperator } from './operator-context.js';
import { organisationRoutes } from './organisations.routes.js';
import { type OperatorSignInOptions, operatorSignInRoutes } from './sign-in.routes.js';

export function operatorArea(app: FastifyInstance, c: Container, signIn: OperatorSignInOptions): void {
  app.register(async (area) => {
    area.setErrorHandler(async (err, req: FastifyRequest, reply: FastifyReply) => {
      if (!isWebError(err) || err.id !== 'operator_required' || wantsJson(req)) throw err;
      return sendPage(reply, <OperatorForbiddenPage c={operatorContext(req, reply, null)} />, err.statusCode);
    });
    const access = c.operator.access;
    operatorSignInRoutes(area, { access, oidc: c.oidcSignIn, publicUrl: () => c.publicUrl, options: signIn });
    organisationRoutes(area, {
      operatorRoute: requireOperator(access),
      organisations: c.operator.organisations,
      invitations: c.operator.adminInvitations,
      health: c.operator.installationHealth,
      publicUrl: () => c.publicUrl,
    });
  });
}
