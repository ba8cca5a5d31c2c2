// The researcher portal under /o/{tenant}/, one file per feature: institutional sign-in, the
// person's page, connecting and disconnecting, and the display of authenticated iDs.
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../app/container.js';
import { connectRoutes } from './connect.routes.js';
import { displayRoutes } from './display.routes.js';
import { pageRoutes } from './page.routes.js';
import { orcidSignInCallback, signInRoutes } from './sign-in.routes.js';

export function portalArea(app: FastifyInstance, c: Container): void {
  const shared = { portal: c.portal, orcid: c.orcid };
  const signIn = {
    ...shared,
    signIns: c.signIns,
    admins: c.adminAccess,
    directory: c.directory,
    oidc: c.oidcSignIn,
    saml: c.samlSignIn,
    logger: c.logger,
    publicUrl: c.publicUrl.replace(/\/+$/, ''),
  };
  signInRoutes(app, signIn);
  pageRoutes(app, shared);
  connectRoutes(app, {
    ...shared,
    connect: c.connect,
    disconnect: c.disconnect,
    orcidSignIn: orcidSignInCallback(signIn),
  });
  displayRoutes(app, shared);
}
