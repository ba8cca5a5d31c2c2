// The organisation's own invitation message, per language: a subject and a plain-text body with
// placeholders, which the mail fills in and lays out in the organisation's branded HTML. A
// template is checked when saved: only known placeholders, and the portal link must be in it (a
// person cannot connect without it).
import { z } from 'zod';

export const TEMPLATE_LANGUAGES = ['en', 'es', 'fr'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

export const INVITATION_PLACEHOLDERS = [
  'givenNames',
  'organisation',
  'portalUrl',
  'items',
  'supportContact',
] as const;
export type InvitationPlaceholder = (typeof INVITATION_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

export const invitationTemplateSchema = z
  .object({
    subject: z.string().trim().min(1, 'the subject is empty').max(200),
    body: z.string().trim().min(1, 'the message is empty').max(5000),
  })
  .superRefine((t, ctx) => {
    for (const field of ['subject', 'body'] as const)
      for (const [, name] of t[field].matchAll(PLACEHOLDER))
        if (!(INVITATION_PLACEHOLDERS as readonly string[]).includes(name!))
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `{{${name}}} is not a placeholder: ${INVITATION_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
          });
    if (!/\{\{\s*portalUrl\s*\}\}/.test(t.body))
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'the message must contain {{portalUrl}}' });
  });
export type InvitationTemplate = z.infer<typeof invitationTemplateSchema>;

export const invitationTemplatesSchema = z.partialRecord(
  z.enum(TEMPLATE_LANGUAGES),
  invitationTemplateSchema,
);
export type InvitationTemplates = z.infer<typeof invitationTemplatesSchema>;

/** The template with its placeholders filled in (values are text; the HTML part escapes them). */
export function fillTemplate(
  t: InvitationTemplate,
  values: Record<InvitationPlaceholder, string>,
): InvitationTemplate {
  const fill = (s: string) =>
    s.replace(PLACEHOLDER, (_m, name: string) => values[name as InvitationPlaceholder] ?? '');
  return { subject: fill(t.subject), body: fill(t.body) };
}
