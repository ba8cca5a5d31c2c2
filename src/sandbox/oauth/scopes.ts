// ORCID scopes, what each implies, and which grant may ask for which (SPEC 4).

const IMPLIES: Record<string, string[]> = {
  '/authenticate': ['/read-public'],
  openid: ['/authenticate', '/read-public'],
  '/read-limited': ['/activities/read-limited', '/person/read-limited', '/read-public'],
  '/activities/read-limited': [
    '/orcid-works/read-limited',
    '/affiliations/read-limited',
    '/funding/read-limited',
    '/peer-review/read-limited',
    '/orcid-patents/read-limited',
    '/read-public',
  ],
  '/person/read-limited': ['/orcid-bio/read-limited', '/read-public'],
  '/activities/update': [
    '/orcid-works/create',
    '/orcid-works/update',
    '/affiliations/create',
    '/affiliations/update',
    '/funding/create',
    '/funding/update',
    '/peer-review/create',
    '/peer-review/update',
    '/orcid-patents/create',
    '/orcid-patents/update',
    '/read-public',
  ],
  '/person/update': ['/orcid-bio/update', '/orcid-bio/external-identifiers/create', '/read-public'],
  '/orcid-bio/update': ['/orcid-bio/external-identifiers/create'],
  '/group-id-record/update': ['/group-id-record/read'],
  '/premium-notification': ['/basic-notification'],
  '/email/read-private': ['/read-public'],
  '/orcid-profile/read-limited': [
    '/read-limited',
    '/activities/read-limited',
    '/person/read-limited',
    '/read-public',
  ],
};

/** Scopes obtained only through the client-credentials grant. */
export const CLIENT_CREDENTIAL_SCOPES = new Set([
  '/read-public',
  '/webhook',
  '/premium-notification',
  '/basic-notification',
  '/group-id-record/read',
  '/group-id-record/update',
  '/orcid-profile/create',
  '/member-list/read',
  '/member-list/update',
]);

/** Three-legged scopes a public client may ask for. */
const PUBLIC_CLIENT_SCOPES = new Set(['/authenticate', 'openid', '/read-public']);

/** Client-credential scopes that need a premium membership. */
const PREMIUM_SCOPES = new Set(['/webhook', '/premium-notification']);

/** OIDC scopes ORCID silently ignores at /oauth/authorize. */
export const IGNORED_OIDC_SCOPES = new Set(['profile', 'email', 'address', 'phone', 'offline_access']);

export const KNOWN_SCOPES = new Set<string>([
  ...Object.keys(IMPLIES),
  ...Object.values(IMPLIES).flat(),
  ...CLIENT_CREDENTIAL_SCOPES,
]);

export function expandScopes(scopes: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (s: string): void => {
    if (out.has(s)) return;
    out.add(s);
    for (const i of IMPLIES[s] ?? []) visit(i);
  };
  for (const s of scopes) visit(s);
  return out;
}

export function hasScope(granted: Iterable<string>, wanted: string): boolean {
  return expandScopes(granted).has(wanted);
}

export function parseScopeParam(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/[\s+]+/).filter(Boolean))];
}

export function clientMayUse(
  client: { type: 'member' | 'public'; premium: boolean },
  scope: string,
): boolean {
  if (client.type === 'public') return PUBLIC_CLIENT_SCOPES.has(scope);
  if (PREMIUM_SCOPES.has(scope)) return client.premium;
  return true;
}

/** Plain-words description of each three-legged scope, shown on the consent page. */
export const SCOPE_TEXT: Record<string, Record<string, string>> = {
  en: {
    '/authenticate': 'Get your ORCID iD',
    openid: 'Get your ORCID iD',
    '/read-limited': 'Read your information with visibility set to Trusted Organizations',
    '/activities/update':
      'Add or update your research activities (works, affiliations, funding, peer review)',
    '/person/update':
      'Add or update your biographical information (other names, keywords, websites, country)',
    '/email/read-private': 'Read your private email addresses',
  },
  es: {
    '/authenticate': 'Obtener su iD ORCID',
    openid: 'Obtener su iD ORCID',
    '/read-limited': 'Leer su información con visibilidad Organizaciones de confianza',
    '/activities/update':
      'Añadir o actualizar sus actividades de investigación (obras, afiliaciones, financiación)',
    '/person/update':
      'Añadir o actualizar su información biográfica (otros nombres, palabras clave, sitios web)',
    '/email/read-private': 'Leer sus correos electrónicos privados',
  },
  fr: {
    '/authenticate': 'Obtenir votre identifiant ORCID',
    openid: 'Obtenir votre identifiant ORCID',
    '/read-limited': 'Lire vos informations dont la visibilité est Organisations de confiance',
    '/activities/update':
      'Ajouter ou mettre à jour vos activités de recherche (travaux, affiliations, financements)',
    '/person/update':
      'Ajouter ou mettre à jour vos informations biographiques (autres noms, mots-clés, sites web)',
    '/email/read-private': 'Lire vos adresses électroniques privées',
  },
};
