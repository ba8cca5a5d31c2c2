// The console's integration-review report (/o/{tenant}/admin/review): ORCID's credentials
// checklist and the five badges with this organisation's live evidence; printable, and as JSON
// (/o/{tenant}/admin/review.json) to send with the review.
import type { FastifyInstance } from 'fastify';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { IntegrationReviewService } from '../../../services/integration-review.service.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { ReviewPage } from '../../views/admin-review.js';
import { type PortalDeps, pageContext, sendPage } from '../portal/portal-context.js';

export interface ReviewRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  review: IntegrationReviewService;
}

export function reviewRoutes(app: FastifyInstance, d: ReviewRouteDeps): void {
  const adminRoute = requireAdmin(d);
  app.get(
    '/o/:tenant/admin/review',
    adminRoute(async (req, reply, tenant) =>
      sendPage(
        reply,
        <ReviewPage
          c={pageContext(req, reply, tenant, d.orcid, true)}
          review={await d.review.report(tenant)}
        />,
      ),
    ),
  );
  app.get(
    '/o/:tenant/admin/review.json',
    adminRoute(async (_req, reply, tenant) =>
      reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="orcid-integration-review-${tenant.slug}.json"`)
        .send(await d.review.report(tenant)),
    ),
  );
}
