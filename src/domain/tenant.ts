// What makes an organisation's ORCID settings valid. Framework-free.
import { z } from 'zod';
import { isCountryCode } from './countries.js';
import { TEMPLATE_LANGUAGES } from './invitation-template.js';

export const DEFAULT_SCOPES = {
  member: '/read-limited /activities/update /person/update',
  public: '/authenticate',
} as const;

/** What institutional sign-in gives us about a person. */
export interface PersonAttributes {
  email?: string;
  eppn?: string;
  employeeId?: string;
  givenNames?: string;
  familyName?: string;
}

const PERSON_ATTRIBUTES = ['email', 'eppn', 'employeeId', 'givenNames', 'familyName'] as const;

/** Which claim (OIDC) or attribute (SAML) carries each person attribute. */
const attributeMap = z.partialRecord(z.enum(PERSON_ATTRIBUTES), z.string().min(1));

export const signInSettingsSchema = z.object({
  /** Seeded people with passwords; only in the `local` ORCID environment (demo and tests). */
  demoDirectory: z.boolean().optional(),
  /** "Sign in with ORCID" for researchers who already connected. */
  orcidSignIn: z.boolean().optional(),
  oidc: z
    .object({
      issuer: z.url(),
      clientId: z.string().min(1),
      scope: z.string().default('openid email profile'),
      label: z.string().min(1).optional(),
      claims: attributeMap.optional(),
    })
    .optional(),
  saml: z
    .object({
      /** The IdP's single sign-on URL (HTTP-Redirect binding). */
      entryPoint: z.url(),
      /** Our entity id at the IdP. */
      issuer: z.string().min(1),
      /** The IdP's signing certificate (PEM or base64 body); assertions must be signed by it. */
      idpCert: z.string().min(20),
      label: z.string().min(1).optional(),
      attributes: attributeMap.optional(),
    })
    .optional(),
});

export type SignInSettings = z.infer<typeof signInSettingsSchema>;

/**
 * { [lang]: { why?, use?, deny? } }: the organisation's own words on the connect page (why it
 * asks, what it does with the permissions) and on the page after someone denied access at ORCID.
 */
export const portalTextsSchema = z.record(
  z.string().regex(/^[a-z]{2}$/),
  z.object({
    why: z.string().max(4000).optional(),
    use: z.string().max(4000).optional(),
    deny: z.string().max(4000).optional(),
  }),
);
export type PortalTexts = z.infer<typeof portalTextsSchema>;

/** The organisation as it appears in the affiliations it writes. */
export const orgIdentitySchema = z
  .object({
    name: z.string().trim().min(1).max(300).nullish(),
    city: z.string().trim().min(1).nullish(),
    region: z.string().trim().min(1).nullish(),
    country: z.string().refine(isCountryCode, 'an ISO 3166 two-letter country code, e.g. NZ').nullish(),
    disambiguatedId: z.string().trim().min(1).nullish(),
    disambiguationSource: z.enum(['ROR', 'RINGGOLD', 'GRID', 'FUNDREF', 'LEI']).nullish(),
  })
  .superRefine((o, ctx) => {
    // ORCID takes an identifier only with the registry it comes from.
    if ((o.disambiguatedId == null) !== (o.disambiguationSource == null))
      ctx.addIssue({
        code: 'custom',
        path: [o.disambiguatedId == null ? 'disambiguatedId' : 'disambiguationSource'],
        message: 'the identifier and its source go together',
      });
  });

/** How Lanyard keeps the organisation's connected records in view (docs/sync.md). */
export const syncSettingsSchema = z
  .object({
    /** The ORCID client is a premium one with webhooks: ORCID notifies each change of a record. */
    webhooks: z.boolean().optional(),
    /** Every active link is read again at least this often (default 7 days with webhooks, 1 without). */
    reconcileEveryDays: z.number().positive().max(365).optional(),
    /** The share of the ORCID rate limit reconciliation may use (default 0.25). */
    reconcileShare: z.number().min(0.01).max(1).optional(),
    /** After a revocation at ORCID, ask the person (by mail) whether to connect again (one per 90 days). */
    reconsentInvitation: z.boolean().optional(),
    /** The local name follows the name the ORCID record publishes (given and family names). */
    followOrcidName: z.boolean().optional(),
  })
  .strict();
export type SyncSettings = z.infer<typeof syncSettingsSchema>;

/** Days between two reads of every record, and the rate-limit share, with the defaults applied. */
export function reconciliation(s: SyncSettings): { everyDays: number; share: number } {
  return { everyDays: s.reconcileEveryDays ?? (s.webhooks ? 7 : 1), share: s.reconcileShare ?? 0.25 };
}

/** Reminders of an invitation to connect, until the person connects. */
export const invitationSettingsSchema = z
  .object({
    /** How many reminders after the invitation (0: none). */
    reminders: z.number().int().min(0).max(10).optional(),
    /** Days between the invitation and each reminder. */
    everyDays: z.number().int().min(1).max(365).optional(),
    /** The language invitations are written in (the organisation's template for it, if any). */
    language: z.enum(TEMPLATE_LANGUAGES).optional(),
    /**
     * Administrators may also ask, through the researcher's ORCID inbox, people whose iD is known
     * but who hold no valid permission (a premium ORCID client with /premium-notification).
     */
    orcidInbox: z.boolean().optional(),
  })
  .strict();
export type InvitationSettings = z.infer<typeof invitationSettingsSchema>;

/** The invitation policy with the defaults applied: 2 reminders, 14 days apart, in English, no ORCID inbox. */
export function reminderPolicy(s: InvitationSettings): Required<InvitationSettings> {
  return {
    reminders: s.reminders ?? 2,
    everyDays: s.everyDays ?? 14,
    language: s.language ?? 'en',
    orcidInbox: s.orcidInbox ?? false,
  };
}

/** What `lanyard tenant --portal-file` reads: the portal's texts, sign-in and identity. */
export const portalSettingsSchema = z.object({
  texts: portalTextsSchema.optional(),
  signIn: signInSettingsSchema.optional(),
  org: orgIdentitySchema.optional(),
  /** On connect, write the person's employment from HR data (status and dates stated by API or upload). */
  employmentOnConnect: z.boolean().optional(),
  sync: syncSettingsSchema.optional(),
  /** Administrators may export people's tokens in clear (default true). */
  tokenExport: z.boolean().optional(),
  invitations: invitationSettingsSchema.optional(),
});
export type PortalSettings = z.infer<typeof portalSettingsSchema>;

const CLIENT_ID = /^APP-[0-9A-Z]{16}$|^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;

export const tenantSettingsSchema = z
  .object({
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and hyphens'),
    name: z.string().trim().min(1).max(200),
    orcidEnvironment: z.enum(['production', 'sandbox', 'local']),
    apiType: z.enum(['member', 'public']),
    // Both absent: an organisation the operator created, whose administrator enters them later.
    clientId: z.string().regex(CLIENT_ID, 'an ORCID client id such as APP-XXXXXXXXXXXXXXXX').optional(),
    clientSecret: z.string().trim().min(1, 'is empty').optional(),
    scopes: z.string().trim().min(1),
    redirectUri: z.url(),
    supportContact: z.string().trim().min(3),
    rateLimitPerSecond: z.number().positive().max(1000).optional(),
    rateLimitBurst: z.number().positive().max(10000).optional(),
    wireFormat: z.enum(['json', 'xml']).optional(),
    signIn: signInSettingsSchema.optional(),
    portalTexts: portalTextsSchema.optional(),
    org: orgIdentitySchema.optional(),
    employmentOnConnect: z.boolean().optional(),
    sync: syncSettingsSchema.optional(),
    tokenExport: z.boolean().optional(),
    invitations: invitationSettingsSchema.optional(),
  })
  .superRefine((t, ctx) => {
    // ORCID issues the two together: one without the other cannot sign a request.
    if ((t.clientId === undefined) !== (t.clientSecret === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [t.clientId === undefined ? 'clientId' : 'clientSecret'],
        message: `is required with ${t.clientId === undefined ? 'the client secret' : 'the client id'}`,
      });
    // Seeded passwords are for the demo and tests, never for real ORCID records.
    if (t.signIn?.demoDirectory && t.orcidEnvironment !== 'local')
      ctx.addIssue({
        code: 'custom',
        path: ['signIn', 'demoDirectory'],
        message: 'the demo directory is only for the local ORCID environment',
      });
    // ORCID production accepts only https redirect URIs.
    if (t.orcidEnvironment === 'production' && !t.redirectUri.startsWith('https://'))
      ctx.addIssue({
        code: 'custom',
        path: ['redirectUri'],
        message: 'must be https in the production environment',
      });
    if (t.apiType === 'public' && /\/(read-limited|activities\/update|person\/update)/.test(t.scopes))
      ctx.addIssue({
        code: 'custom',
        path: ['scopes'],
        message: 'a public API client can only ask /authenticate or openid',
      });
  });

export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/** Every problem of a settings object, one line each (empty when valid). */
export function tenantSettingsProblems(input: unknown): string[] {
  const r = tenantSettingsSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`);
}

/** Whether the organisation's ORCID client id and secret have been entered (else no ORCID call can be made). */
export const hasOrcidCredentials = (t: { client_id: string }): boolean => t.client_id !== '';

/** The organisation's stable key for a person: employee id, else eppn, else email. */
export function localIdOf(a: PersonAttributes): string | null {
  return a.employeeId?.trim() || a.eppn?.trim().toLowerCase() || a.email?.trim().toLowerCase() || null;
}

/** Scopes as a set; `openid` and `/authenticate` both mean "who is this iD". */
function scopeSet(scopes: string): Set<string> {
  const set = new Set(scopes.split(/\s+/).filter(Boolean));
  if (set.has('openid')) set.add('/authenticate');
  // Every member scope also proves the iD.
  if ([...set].some((s) => s.startsWith('/read-limited') || s.endsWith('/update'))) set.add('/authenticate');
  set.delete('openid');
  return set;
}

/** True when a token granted `granted` already allows everything `asked` asks for. */
export function scopesCover(granted: string, asked: string): boolean {
  const have = scopeSet(granted);
  return [...scopeSet(asked)].every((s) => have.has(s));
}
