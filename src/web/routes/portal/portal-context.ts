// What the portal's routes share: the signed-in person (only if signed in to this organisation;
// the organisation itself comes from plugins/tenant-scope), the language, and page rendering.
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';
import type {} from '@fastify/session';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Person, Tenant } from '../../../db/rows.js';
import type { PendingOidc } from '../../../identity/oidc-sign-in.js';
import type { OrcidClients } from '../../../services/orcid-clients.js';
import type { PortalService } from '../../../services/portal.service.js';
import { type Language, pickLanguage, translator } from '../../i18n.js';
import type { PageContext } from '../../views/portal.js';

declare module 'fastify' {
  interface Session {
    tenantId?: string;
    personId?: string;
    /** When the person signed in (ms): exporting tokens asks for a sign-in in the last 10 minutes. */
    signedInAt?: number;
    /** Where to go once signed in (a page of the same organisation that asked for a new sign-in). */
    returnTo?: string;
    /** A message for the next portal page: i18n key and its values. */
    flash?: { key: string; values: Record<string, string> };
    /** `trial`: "Try sign-in" from the console (the answer signs nobody in). */
    pendingOidc?: PendingOidc & { tenantId: string; trial?: boolean };
    pendingOrcidSignIn?: { tenantId: string; state: string; nonce: string };
    /** The RelayState sent with this browser's SAML AuthnRequest (its answer must come back here). */
    pendingSaml?: { tenantId: string; relayState: string; trial?: boolean };
  }
}

export const LANG_COOKIE = 'lanyard_lang';

export interface PortalDeps {
  portal: PortalService;
  orcid: OrcidClients;
}

export function languageOf(req: FastifyRequest, reply: FastifyReply): Language {
  const query = (req.query as Record<string, unknown> | undefined)?.lang;
  const lang = pickLanguage(query, req.cookies[LANG_COOKIE], req.headers['accept-language']);
  // The switcher's choice sticks for the next pages.
  if (query === lang && req.cookies[LANG_COOKIE] !== lang)
    reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86400 });
  return lang;
}

export async function signedInPerson(
  req: FastifyRequest,
  tenant: Tenant,
  portal: PortalService,
): Promise<Person | null> {
  const s = req.session;
  if (s.tenantId !== tenant.id || !s.personId) return null;
  return (await portal.person(tenant.id, s.personId)) ?? null;
}

export function pageContext(
  req: FastifyRequest,
  reply: FastifyReply,
  tenant: Tenant,
  orcid: OrcidClients,
  signedIn: boolean,
): PageContext {
  const lang = languageOf(req, reply);
  const base = `/o/${tenant.slug}`;
  return {
    t: translator(lang),
    lang,
    org: tenant.name,
    base,
    path: req.url.split('?')[0] ?? base,
    supportContact: tenant.support_contact,
    registry: orcid.environmentOf(tenant).registry,
    csrf: reply.generateCsrf(),
    signedIn,
  };
}

/** The message the previous request left for this page (shown once), if any. */
export function takeFlash(req: FastifyRequest): { key: string; values: Record<string, string> } | undefined {
  const flash = req.session.flash;
  if (flash) req.session.flash = undefined;
  return flash;
}

export function sendPage(reply: FastifyReply, page: { toString(): string }, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>${page.toString()}`);
}

/** Portal texts in the page's language, else English, else none (the defaults then apply). */
export function portalTexts(
  tenant: Tenant,
  lang: Language,
): { why: string | null; use: string | null; deny: string | null } {
  const texts = tenant.portal_texts[lang] ?? tenant.portal_texts.en ?? {};
  return { why: texts.why ?? null, use: texts.use ?? null, deny: texts.deny ?? null };
}

export const scopeList = (scopes: string) => scopes.split(/\s+/).filter(Boolean);
