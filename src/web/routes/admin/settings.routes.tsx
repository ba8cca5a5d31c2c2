// The console's settings (/o/{tenant}/admin/settings): the ORCID credentials and scopes, the name
// and support contact, "Test connection", and the values for ORCID's client registration form.
// Saved through TenantSettingsService, as `lanyard tenant update` saves them: the settings after
// the change are checked whole, every problem is listed and nothing is changed if there is one.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { NewTenant, Tenant } from '../../../db/rows.js';
import type { AdminAccessService } from '../../../services/admin-access.service.js';
import type { ApiKeyService } from '../../../services/api-keys.service.js';
import type { TenantSettingsService } from '../../../services/tenant-settings.service.js';
import { parsedInput } from '../../console-input.js';
import { webErrors } from '../../errors.js';
import { LANGUAGES } from '../../i18n.js';
import { requireAdmin, tenantRoute } from '../../plugins/tenant-scope.js';
import {
  ApiKeysPage,
  ASKABLE_SCOPES,
  RegistrationPage,
  type SettingsForm,
  SettingsPage,
  type SignInForm,
  SignInSettingsPage,
  settingsFormOf,
  signInFormOf,
} from '../../views/admin-settings.js';
import { type PortalDeps, pageContext, portalTexts, sendPage, takeFlash } from '../portal/portal-context.js';

export interface SettingsRouteDeps extends PortalDeps {
  admins: AdminAccessService;
  settings: TenantSettingsService;
  apiKeys: ApiKeyService;
  publicUrl: () => string;
}

const text = (max: number) => z.string().trim().max(max).optional().default('');
const orcidForm = z.object({
  environment: text(20),
  apiType: text(20),
  clientId: text(100),
  clientSecret: z.string().max(1000).optional().default(''),
  scopes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  webhooks: z.literal('yes').optional(),
});
const organisationForm = z.object({ name: text(300), supportContact: text(300) });

/** Fields a form could not even read (before the settings are checked whole). */
const formProblems = (r: z.ZodSafeParseResult<unknown>) =>
  r.success ? [] : r.error.issues.map((i) => `${String(i.path[0] ?? 'form')}: ${i.message}`);

/**
 * The settings pages' island: each "Copy" button copies its value, and a file chosen for the
 * IdP's metadata is read into its text box (the form sends the text, never the file).
 */
const COPY_JS = `document.addEventListener('click', (e) => {
  const id = e.target instanceof HTMLElement ? e.target.dataset.copy : undefined;
  if (!id) return;
  const input = document.getElementById(id);
  input.select();
  navigator.clipboard?.writeText(input.value);
});
document.addEventListener('change', (e) => {
  const input = e.target;
  if (!(input instanceof HTMLInputElement) || !input.dataset.fill || !input.files?.[0]) return;
  input.files[0].text().then((text) => {
    document.getElementById(input.dataset.fill).value = text;
  });
});
`;

export function settingsRoutes(app: FastifyInstance, d: SettingsRouteDeps): void {
  app.get('/assets/copy-buttons.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(COPY_JS),
  );
  const adminRoute = requireAdmin(d);
  const url = (t: Tenant) => `/o/${t.slug}/admin/settings`;

  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    form: SettingsForm,
    problems: string[] = [],
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    const flash = takeFlash(req);
    const text = flash ? c.t(flash.key, flash.values) : null;
    const problem = flash?.key.startsWith('console.settings.testFailed') ?? false;
    return sendPage(
      reply,
      <SettingsPage
        c={c}
        tenant={tenant}
        form={form}
        problems={problems}
        flash={problem ? null : text}
        problem={problem ? text : null}
      />,
      problems.length ? 422 : 200,
    );
  };

  /**
   * Saves `changes` and goes back to the page (`to`, with `flash`), or shows the form again as it
   * was sent (`again`) with every problem.
   */
  const save = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    actor: string,
    changes: Partial<NewTenant>,
    earlier: string[],
    then: { again: (problems: string[]) => Promise<FastifyReply>; flash: string; to: string },
  ) => {
    const problems = [...earlier, ...d.settings.problems(tenant, changes)];
    if (problems.length) return then.again(problems);
    await d.settings.update(tenant, changes, actor);
    req.session.flash = { key: then.flash, values: {} };
    return reply.redirect(then.to, 303);
  };
  /** After a save on the main settings page. */
  const onSettings = (req: FastifyRequest, reply: FastifyReply, tenant: Tenant, form: SettingsForm) => ({
    again: async (problems: string[]) => page(req, reply, tenant, form, problems),
    flash: 'console.settings.saved',
    to: url(tenant),
  });

  app.get(
    '/o/:tenant/admin/settings',
    adminRoute(async (req, reply, tenant) => page(req, reply, tenant, settingsFormOf(tenant))),
  );

  app.post(
    '/o/:tenant/admin/settings/orcid',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const r = orcidForm.safeParse(req.body ?? {});
      const f = r.success ? r.data : orcidForm.parse({});
      const unknownScopes = f.scopes.filter((s) => !ASKABLE_SCOPES.includes(s));
      const form: SettingsForm = {
        ...settingsFormOf(tenant),
        environment: f.environment,
        apiType: f.apiType,
        clientId: f.clientId,
        scopes: f.scopes,
        webhooks: f.webhooks === 'yes',
      };
      const changes: Partial<NewTenant> = {
        orcidEnvironment: f.environment as NewTenant['orcidEnvironment'],
        apiType: f.apiType as NewTenant['apiType'],
        clientId: f.clientId,
        scopes: f.scopes.join(' '),
        sync: { ...tenant.sync_settings, webhooks: f.webhooks === 'yes' },
        ...(f.clientSecret.trim() ? { clientSecret: f.clientSecret.trim() } : {}),
      };
      // Only what differs is saved (and audited by name).
      const current = settingsFormOf(tenant);
      if (changes.orcidEnvironment === current.environment) delete changes.orcidEnvironment;
      if (changes.apiType === current.apiType) delete changes.apiType;
      if (changes.clientId === current.clientId) delete changes.clientId;
      if (changes.scopes === tenant.scopes) delete changes.scopes;
      if ((f.webhooks === 'yes') === current.webhooks) delete changes.sync;
      return save(
        req,
        reply,
        tenant,
        `admin:${admin.local_id}`,
        changes,
        [
          ...formProblems(r),
          ...(f.scopes.length ? [] : ['scopes: choose at least one']),
          ...unknownScopes.map((s) => `scopes: ${s}`),
        ],
        onSettings(req, reply, tenant, form),
      );
    }),
  );

  app.post(
    '/o/:tenant/admin/settings/organisation',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const r = organisationForm.safeParse(req.body ?? {});
      const f = r.success ? r.data : organisationForm.parse({});
      const changes: Partial<NewTenant> = {};
      if (f.name !== tenant.name) changes.name = f.name;
      if (f.supportContact !== tenant.support_contact) changes.supportContact = f.supportContact;
      return save(
        req,
        reply,
        tenant,
        `admin:${admin.local_id}`,
        changes,
        formProblems(r),
        onSettings(req, reply, tenant, { ...settingsFormOf(tenant), ...f }),
      );
    }),
  );

  const portalForm = z.object({
    ...Object.fromEntries(
      LANGUAGES.flatMap((l) => [
        [`why_${l}`, z.string().max(4000).optional().default('')],
        [`use_${l}`, z.string().max(4000).optional().default('')],
        [`deny_${l}`, z.string().max(4000).optional().default('')],
      ]),
    ),
    employmentOnConnect: z.literal('yes').optional(),
    reconcileEveryDays: text(10),
    reconcileShare: text(10),
    reconsentInvitation: z.literal('yes').optional(),
    followOrcidName: z.literal('yes').optional(),
  });
  app.post(
    '/o/:tenant/admin/settings/portal',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const r = portalForm.safeParse(req.body ?? {});
      const f = (r.success ? r.data : portalForm.parse({})) as Record<string, string | undefined>;
      const texts = Object.fromEntries(
        LANGUAGES.map((l) => [
          l,
          {
            why: (f[`why_${l}`] ?? '').trim(),
            use: (f[`use_${l}`] ?? '').trim(),
            deny: (f[`deny_${l}`] ?? '').trim(),
          },
        ]),
      ) as SettingsForm['texts'];
      const form: SettingsForm = {
        ...settingsFormOf(tenant),
        texts,
        employmentOnConnect: f.employmentOnConnect === 'yes',
        reconcileEveryDays: f.reconcileEveryDays ?? '',
        reconcileShare: f.reconcileShare ?? '',
        reconsentInvitation: f.reconsentInvitation === 'yes',
        followOrcidName: f.followOrcidName === 'yes',
      };
      // Empty texts fall back to the built-in ones; empty numbers to the defaults.
      const portalTexts = Object.fromEntries(
        LANGUAGES.flatMap((l) => {
          const kept = Object.fromEntries(Object.entries(texts[l]).filter(([, v]) => v));
          return Object.keys(kept).length ? [[l, kept]] : [];
        }),
      );
      const number = (v: string) => (v === '' ? undefined : Number(v));
      const { reconcileEveryDays: _d, reconcileShare: _s, ...sync } = tenant.sync_settings;
      const changes: Partial<NewTenant> = {
        portalTexts,
        employmentOnConnect: form.employmentOnConnect,
        sync: {
          ...sync,
          ...(form.reconcileEveryDays ? { reconcileEveryDays: number(form.reconcileEveryDays) } : {}),
          ...(form.reconcileShare ? { reconcileShare: number(form.reconcileShare) } : {}),
          reconsentInvitation: form.reconsentInvitation,
          followOrcidName: form.followOrcidName,
        },
      };
      if (JSON.stringify(portalTexts) === JSON.stringify(tenant.portal_texts)) delete changes.portalTexts;
      if (form.employmentOnConnect === tenant.employment_on_connect) delete changes.employmentOnConnect;
      if (JSON.stringify(changes.sync) === JSON.stringify(tenant.sync_settings)) delete changes.sync;
      return save(
        req,
        reply,
        tenant,
        `admin:${admin.local_id}`,
        changes,
        formProblems(r),
        onSettings(req, reply, tenant, form),
      );
    }),
  );

  app.post(
    '/o/:tenant/admin/settings/test',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const r = await d.settings.testConnection(tenant, `admin:${admin.local_id}`);
      req.session.flash = r.ok
        ? { key: 'console.settings.testOk', values: { registry: r.environment } }
        : { key: `console.settings.testFailed.${r.reason}`, values: { detail: r.detail } };
      return reply.redirect(url(tenant), 303);
    }),
  );

  app.get(
    '/o/:tenant/admin/settings/registration',
    adminRoute(async (req, reply, tenant) => {
      const c = pageContext(req, reply, tenant, d.orcid, true);
      const website = `${d.publicUrl().replace(/\/+$/, '')}/o/${tenant.slug}/`;
      const why = portalTexts(tenant, 'en').why;
      return sendPage(
        reply,
        <RegistrationPage
          c={c}
          tenant={tenant}
          website={website}
          description={why ?? c.t('console.registration.defaultDescription', { org: tenant.name })}
          redirectUris={[tenant.redirect_uri]}
        />,
      );
    }),
  );

  const keysPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    made: { name: string; key: string } | null = null,
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    const flash = takeFlash(req);
    return sendPage(
      reply,
      <ApiKeysPage
        c={c}
        keys={await d.apiKeys.list(tenant.id)}
        made={made}
        flash={flash ? c.t(flash.key, flash.values) : null}
      />,
    );
  };
  app.get(
    '/o/:tenant/admin/settings/api-keys',
    adminRoute((req, reply, tenant) => keysPage(req, reply, tenant)),
  );
  // The key is in this answer only (never in a session or a redirect), and the page is not cached.
  app.post(
    '/o/:tenant/admin/settings/api-keys',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const { name } = parsedInput(
        z.object({ name: z.string().trim().min(1, 'a name is required').max(100) }),
        req.body,
        'body',
      );
      const { key } = await d.apiKeys.create(tenant.id, name, `admin:${admin.local_id}`);
      return keysPage(req, reply, tenant, { name, key });
    }),
  );
  app.post(
    '/o/:tenant/admin/settings/api-keys/:id/revoke',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const id = (req.params as { id?: string }).id ?? '';
      const ok =
        z.uuid().safeParse(id).success && (await d.apiKeys.revoke(tenant.id, id, `admin:${admin.local_id}`));
      if (!ok) throw webErrors.notFound();
      req.session.flash = { key: 'console.apiKeys.revoked', values: {} };
      return reply.redirect(`/o/${tenant.slug}/admin/settings/api-keys`, 303);
    }),
  );

  // Our SAML metadata, for the organisation's IdP to read (public, like the sign-in page).
  app.get(
    '/o/:tenant/signin/saml/metadata',
    tenantRoute(async (_req, reply, tenant) =>
      reply
        .type('application/samlmetadata+xml; charset=utf-8')
        .send(d.settings.samlMetadata(tenant, d.publicUrl())),
    ),
  );

  const signInPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    tenant: Tenant,
    form?: SignInForm,
    problems: string[] = [],
  ) => {
    const c = pageContext(req, reply, tenant, d.orcid, true);
    const endpoints = d.settings.signInEndpoints(tenant, d.publicUrl());
    const flash = takeFlash(req);
    return sendPage(
      reply,
      <SignInSettingsPage
        c={c}
        tenant={tenant}
        endpoints={endpoints}
        form={form ?? signInFormOf(tenant, endpoints.samlEntityId)}
        problems={problems}
        flash={flash && flash.key !== 'console.signIn.tryFailed' ? c.t(flash.key, flash.values) : null}
        problem={flash?.key === 'console.signIn.tryFailed' ? c.t(flash.key, flash.values) : null}
      />,
      problems.length ? 422 : 200,
    );
  };
  /** After a save on the sign-in page. */
  const onSignIn = (req: FastifyRequest, reply: FastifyReply, tenant: Tenant, form: SignInForm) => ({
    again: async (problems: string[]) => signInPage(req, reply, tenant, form, problems),
    flash: 'console.signIn.saved',
    to: `${url(tenant)}/sign-in`,
  });
  const signInForm = z.object({
    oidcIssuer: text(500),
    oidcClientId: text(500),
    oidcClientSecret: z.string().max(2000).optional().default(''),
    oidcLabel: text(100),
    samlEntityId: text(500),
    samlMetadata: z.string().max(200_000).optional().default(''),
    samlMetadataFrom: text(2000),
    samlLabel: text(100),
  });
  const signInFields = (tenant: Tenant, body: unknown) => {
    const r = signInForm.safeParse(body ?? {});
    const f = r.success ? r.data : signInForm.parse({});
    const form: SignInForm = {
      ...signInFormOf(tenant, d.settings.signInEndpoints(tenant, d.publicUrl()).samlEntityId),
      ...f,
    };
    return { f, form, earlier: formProblems(r) };
  };

  app.get(
    '/o/:tenant/admin/settings/sign-in',
    adminRoute(async (req, reply, tenant) => signInPage(req, reply, tenant)),
  );
  app.post(
    '/o/:tenant/admin/settings/sign-in/oidc',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const { f, form, earlier } = signInFields(tenant, req.body);
      const { oidc: _, ...rest } = tenant.sign_in;
      const signIn = f.oidcIssuer
        ? {
            ...rest,
            oidc: {
              ...tenant.sign_in.oidc,
              issuer: f.oidcIssuer,
              clientId: f.oidcClientId,
              scope: tenant.sign_in.oidc?.scope ?? 'openid email profile',
              ...(f.oidcLabel ? { label: f.oidcLabel } : {}),
            },
          }
        : rest;
      const changes: Partial<NewTenant> = { signIn };
      if (f.oidcClientSecret.trim()) changes.oidcClientSecret = f.oidcClientSecret.trim();
      return save(
        req,
        reply,
        tenant,
        `admin:${admin.local_id}`,
        changes,
        earlier,
        onSignIn(req, reply, tenant, form),
      );
    }),
  );
  app.post(
    '/o/:tenant/admin/settings/sign-in/saml',
    { preHandler: app.csrfProtection },
    adminRoute(async (req, reply, tenant, admin) => {
      const { f, form, earlier } = signInFields(tenant, req.body);
      const current = tenant.sign_in.saml;
      // Pasted metadata, else metadata read at the URL given (through the SSRF guard).
      const idp = f.samlMetadata.trim()
        ? d.settings.identityProvider(f.samlMetadata)
        : f.samlMetadataFrom
          ? await d.settings.identityProviderAt(f.samlMetadataFrom)
          : null;
      const problems = [...earlier];
      if (idp && !idp.ok)
        problems.push(`${f.samlMetadata.trim() ? 'samlMetadata' : 'samlMetadataFrom'}: ${idp.problem}`);
      if (!idp && !current) problems.push("samlMetadata: give your identity provider's metadata");
      const from = idp?.ok ? { entryPoint: idp.entryPoint, idpCert: idp.idpCert } : current;
      const signIn = from
        ? {
            ...tenant.sign_in,
            saml: {
              ...current,
              ...from,
              issuer: f.samlEntityId,
              ...(f.samlLabel ? { label: f.samlLabel } : {}),
            },
          }
        : tenant.sign_in;
      return save(
        req,
        reply,
        tenant,
        `admin:${admin.local_id}`,
        { signIn },
        problems,
        onSignIn(req, reply, tenant, form),
      );
    }),
  );
}
