// What a permission request in a researcher's ORCID inbox says (ORCID's notification-permission
// model, SPEC 6.10): a short subject, an intro of at most 1000 characters, and the items the
// organisation would add, each of a type ORCID's inbox knows. In the invitation language.
import { NOTIFICATION_ITEM_TYPES } from '../../lib/orcid-model/notification.js';
import type { TemplateLanguage } from './invitation-template.js';

/** At most this many items are named; the request shows examples, not the whole record. */
export const ITEMS_NAMED = 10;

const TEXT: Record<TemplateLanguage, { subject: string; intro: (org: string) => string }> = {
  en: {
    subject: 'your activities',
    intro: (org) =>
      `${org} asks for your permission to keep your ORCID record up to date with what it can vouch for. Granting it connects your ORCID iD to ${org} again; you can revoke the permission at any time in your ORCID account settings.`,
  },
  es: {
    subject: 'sus actividades',
    intro: (org) =>
      `${org} le pide permiso para mantener actualizado su registro ORCID con lo que puede certificar. Al concederlo, su ORCID iD vuelve a estar conectado a ${org}; puede revocar el permiso en cualquier momento en la configuración de su cuenta ORCID.`,
  },
  fr: {
    subject: 'vos activités',
    intro: (org) =>
      `${org} vous demande l'autorisation de tenir votre dossier ORCID à jour avec ce qu'elle peut attester. En l'accordant, votre identifiant ORCID est de nouveau relié à ${org} ; vous pouvez révoquer cette autorisation à tout moment dans les paramètres de votre compte ORCID.`,
  },
};

/** The notification's JSON (ORCID's form) for an authorization URL and the person's items. */
export function inboxRequest(o: {
  language: TemplateLanguage;
  org: string;
  authorizationUrl: string;
  items: { section: string; label: string }[];
}) {
  const text = TEXT[o.language];
  const url = new URL(o.authorizationUrl);
  const named = o.items
    .filter((i) => NOTIFICATION_ITEM_TYPES.has(i.section))
    .slice(0, ITEMS_NAMED)
    .map((i) => ({ 'item-type': i.section, 'item-name': i.label.slice(0, 1000) }));
  return {
    'notification-type': 'permission',
    'authorization-url': {
      uri: o.authorizationUrl,
      path: `${url.pathname}${url.search}`,
      host: url.hostname,
    },
    'notification-subject': text.subject,
    'notification-intro': text.intro(o.org.slice(0, 200)).slice(0, 1000),
    // ORCID wants at least one: with nothing else to name, the affiliation with the organisation.
    items: {
      item: named.length ? named : [{ 'item-type': 'employment', 'item-name': o.org.slice(0, 1000) }],
    },
  };
}
