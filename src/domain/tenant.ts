// What makes an organisation's ORCID settings valid. Framework-free.
import { z } from 'zod';

export const DEFAULT_SCOPES = {
  member: '/read-limited /activities/update /person/update',
  public: '/authenticate',
} as const;

const CLIENT_ID = /^APP-[0-9A-Z]{16}$|^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;

export const tenantSettingsSchema = z
  .object({
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and hyphens'),
    name: z.string().trim().min(1).max(200),
    orcidEnvironment: z.enum(['production', 'sandbox', 'local']),
    apiType: z.enum(['member', 'public']),
    clientId: z.string().regex(CLIENT_ID, 'an ORCID client id such as APP-XXXXXXXXXXXXXXXX'),
    clientSecret: z.string().trim().min(1, 'is empty'),
    scopes: z.string().trim().min(1),
    redirectUri: z.url(),
    supportContact: z.string().trim().min(3),
    rateLimitPerSecond: z.number().positive().max(1000).optional(),
    rateLimitBurst: z.number().positive().max(10000).optional(),
    wireFormat: z.enum(['json', 'xml']).optional(),
  })
  .superRefine((t, ctx) => {
    // ORCID production accepts only https redirect URIs (DESIGN.md §7).
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
