// A shared view of an organisation's ORCID calls (/shared/calls/{token}), for ORCID support: it
// opens without an account while the link lives (it expires, and the organisation can revoke it),
// and shows only the calls chosen when it was made, read-only. Any other token answers 404.
import type { FastifyInstance } from 'fastify';
import type { CallLogService } from '../../services/call-log.service.js';
import type { TenantDirectory } from '../../services/tenant-directory.js';
import { webErrors } from '../errors.js';
import { translator } from '../i18n.js';
import { SharedCallsPage } from '../views/admin-calls.js';

export function sharedCallRoutes(
  app: FastifyInstance,
  calls: CallLogService,
  directory: TenantDirectory,
): void {
  app.get('/shared/calls/:token', async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const share = /^[\w-]{43}$/.test(token) ? await calls.opened(token) : null;
    const tenant = share ? await directory.byId(share.tenant_id) : undefined;
    if (!share || !tenant)
      throw webErrors.notFound('This link has ended (it expired or was revoked), or never existed.');
    const page = (
      <SharedCallsPage
        org={tenant.name}
        note={share.note}
        expiresAt={share.expires_at}
        calls={share.calls}
        t={translator('en')}
      />
    );
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex')
      .header('referrer-policy', 'no-referrer')
      .send(`<!doctype html>${page}`);
  });
}
