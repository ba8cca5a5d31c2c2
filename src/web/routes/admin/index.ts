// The organisation's admin area (the console) under /o/{tenant}/admin/, one file per feature:
// uploads (the area's first page), people, invitations, the audit log, the overview, the
// integration review, the data export, the ORCID call log, the organisation's identity, the
// ORCID registry's records of it, the settings, and the page where an invited administrator
// accepts (the one page here that is not for administrators only).
// Administrators only (requireAdmin).
import type { FastifyInstance } from 'fastify';
import type { Container } from '../../../app/container.js';
import { auditRoutes } from './audit.routes.js';
import { callRoutes } from './calls.routes.js';
import { eventEndpointRoutes } from './event-endpoints.routes.js';
import { exportRoutes } from './export.routes.js';
import { invitationRoutes } from './invitations.routes.js';
import { organisationRoutes } from './organisation.routes.js';
import { overviewRoutes } from './overview.routes.js';
import { peopleRoutes } from './people.routes.js';
import { registryRoutes } from './registry.routes.js';
import { reviewRoutes } from './review.routes.js';
import { settingsRoutes } from './settings.routes.js';
import { uploadRoutes } from './uploads.routes.js';
import { welcomeRoutes } from './welcome.routes.js';

export function adminArea(app: FastifyInstance, c: Container): void {
  const shared = { portal: c.portal, orcid: c.orcid, admins: c.adminAccess };
  uploadRoutes(app, { ...shared, uploads: c.uploads });
  const parts = c.console;
  peopleRoutes(app, { ...shared, people: parts.people });
  invitationRoutes(app, { ...shared, invitations: parts.invitations });
  auditRoutes(app, { ...shared, audit: parts.audit });
  overviewRoutes(app, { ...shared, overview: parts.overview });
  reviewRoutes(app, { ...shared, review: parts.review });
  exportRoutes(app, { ...shared, exports: parts.linksExport });
  callRoutes(app, { ...shared, calls: parts.calls, publicUrl: () => c.publicUrl });
  organisationRoutes(app, { ...shared, rename: c.rename, settings: c.tenantSettings });
  registryRoutes(app, { ...shared, registry: c.sync.registrySearch });
  eventEndpointRoutes(app, { ...shared, events: c.events });
  welcomeRoutes(app, { ...shared, invitations: c.operator.adminInvitations, signIns: c.signIns });
  settingsRoutes(app, {
    ...shared,
    settings: c.tenantSettings,
    apiKeys: c.apiKeys,
    publicUrl: () => c.publicUrl,
  });
}
