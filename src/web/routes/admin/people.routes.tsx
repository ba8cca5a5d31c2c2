// The console's people (/o/{tenant}/admin/people): the list (search, filters, sort, pages by
// key), a person's page, and the administrator's actions for a person: resend the invitation,
// retry an item, ask through the ORCID inbox, disconnect, delete. Each action is a POST with the CSRF token, audited by the
// service, and answered by a redirect to the person's page with what happened. Another
// organisation's person (or item) is unknown here: 404.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tenant } from '../../../db/rows.js';
import { ITEM_STATUSES } from '../../../domain/item.js';
import { LINK_FILTERS, PEOPLE_SORTS, type PeopleQuery } from '../../../domain/people-query.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { PeopleConsoleService, PersonActionResult } from '../../../services/people-console.service.js';
import { parsedInput } from '../../console-input.js';
import { webErrors } from '../../errors.js';
import { requireAdmin } from '../../plugins/tenant-scope.js';
import { PeopleListPage, PersonPage } from '../../views/admin-people.js';
import { type PortalDeps, pageContext, sendPage, takeFlash } from '../portal/portal-context.js';

export interface PeopleRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  people: PeopleConsoleService;
}

export const PEOPLE_PAGE_SIZE = 50;

const pageKey = z
  .string()
  .max(4000)
  .transform((s, ctx) => {
    try {
      const [key, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
      if (typeof key === 'string' && typeof id === 'string' && z.uuid().safeParse(id).success)
        return { key, id };
    } catch {}
    ctx.addIssue({ code: 'custom', message: 'not a page of this list' });
    return z.NEVER;
  });

const listQuery = z.object({
  q: z.string().trim().max(200).optional(),
  link: z.enum(LINK_FILTERS).or(z.literal('')).optional(),
  item: z.enum(ITEM_STATUSES).or(z.literal('')).optional(),
  invited: z.enum(['yes', 'no', '']).optional(),
  sort: z.enum(PEOPLE_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: pageKey.optional(),
  before: pageKey.optional(),
  lang: z.string().optional(),
});

function queryOf(raw: unknown): PeopleQuery {
  const v = parsedInput(listQuery, raw, 'path');
  return {
    text: v.q || undefined,
    link: v.link || undefined,
    item: v.item || undefined,
    invited: v.invited ? v.invited === 'yes' : undefined,
    sort: v.sort ?? 'name',
    descending: v.order === 'desc',
    after: v.before ? undefined : v.after,
    before: v.before,
    limit: PEOPLE_PAGE_SIZE,
  };
}

const idOf = (value: string | undefined) => {
  // Not an id at all (PostgreSQL would refuse it as a uuid): unknown, like a foreign one.
  if (!value || !z.uuid().safeParse(value).success) throw webErrors.notFound();
  return value;
};

/** What the person's page says after an action. */
const FLASH: Record<string, string> = {
  invite: 'console.flash.invitationResent',
  retry: 'console.flash.itemRetried',
  disconnect: 'console.flash.disconnected',
  inbox: 'console.flash.inboxRequested',
};

export function peopleRoutes(app: FastifyInstance, d: PeopleRouteDeps): void {
  const adminRoute = requireAdmin(d);

  app.get(
    '/o/:tenant/admin/people',
    adminRoute(async (req, reply, tenant) => {
      const query = queryOf(req.query);
      const [page, total] = await Promise.all([d.people.list(tenant.id, query), d.people.count(tenant.id)]);
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = takeFlash(req);
      return sendPage(
        reply,
        <PeopleListPage
          c={c}
          query={query}
          page={page}
          total={total}
          flash={flash ? c.t(flash.key) : null}
        />,
      );
    }),
  );

  app.get(
    '/o/:tenant/admin/people/:id',
    adminRoute(async (req, reply, tenant) => {
      const personId = idOf((req.params as { id?: string }).id);
      const detail = await d.people.person(tenant.id, personId);
      if (!detail) throw webErrors.notFound();
      const askable = await d.people.inboxAskable(tenant, personId);
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const flash = takeFlash(req);
      const text = flash ? c.t(flash.key, flash.values) : null;
      const problem = flash?.key.startsWith('console.problem.') ?? false;
      return sendPage(
        reply,
        <PersonPage
          c={c}
          detail={detail}
          inboxAskable={askable}
          flash={problem ? null : text}
          problem={problem ? text : null}
        />,
      );
    }),
  );

  const action = (
    name: string,
    run: (
      tenant: Tenant,
      personId: string,
      actor: string,
      req: FastifyRequest,
    ) => Promise<PersonActionResult>,
  ) =>
    adminRoute(async (req: FastifyRequest, reply: FastifyReply, tenant, admin) => {
      const personId = idOf((req.params as { id?: string }).id);
      const r = await run(tenant, personId, `admin:${admin.local_id}`, req);
      if (!r.ok && r.reason === 'not_found') throw webErrors.notFound();
      if (name === 'delete' && r.ok) {
        req.session.flash = { key: 'console.flash.deleted', values: {} };
        return reply.redirect(`/o/${tenant.slug}/admin/people`, 303);
      }
      req.session.flash = r.ok
        ? { key: FLASH[name]!, values: {} }
        : {
            key: `console.problem.${r.reason}`,
            values: { support: tenant.support_contact, detail: r.detail ?? '' },
          };
      return reply.redirect(`/o/${tenant.slug}/admin/people/${personId}`, 303);
    });
  const post = { preHandler: app.csrfProtection };

  app.post(
    '/o/:tenant/admin/people/:id/invite',
    post,
    action('invite', (tenant, id, actor) => d.people.resendInvitation(tenant, id, actor)),
  );
  app.post(
    '/o/:tenant/admin/people/:id/items/:item/retry',
    post,
    action('retry', (tenant, id, actor, req) =>
      d.people.retryItem(tenant, id, idOf((req.params as { item?: string }).item), actor),
    ),
  );
  app.post(
    '/o/:tenant/admin/people/:id/inbox-request',
    post,
    action('inbox', (tenant, id, actor) => d.people.askThroughInbox(tenant, id, actor)),
  );
  app.post(
    '/o/:tenant/admin/people/:id/disconnect',
    post,
    action('disconnect', (tenant, id, actor) => d.people.disconnect(tenant, id, actor)),
  );
  app.post(
    '/o/:tenant/admin/people/:id/delete',
    post,
    action('delete', async (tenant, id, actor, req) => {
      if ((req.body as { confirm?: string } | undefined)?.confirm !== 'yes')
        throw webErrors.invalidRequest('body', [
          { field: 'confirm', message: 'tick the box to confirm the deletion' },
        ]);
      return d.people.deletePerson(tenant, id, actor);
    }),
  );
}
