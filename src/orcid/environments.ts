// Where ORCID lives: the registry (OAuth, OIDC, UI), the member API and the public API.

export type OrcidEnvironmentName = 'production' | 'sandbox' | 'local';

export interface OrcidEnvironment {
  name: OrcidEnvironmentName;
  /** Registry: /oauth/authorize, /oauth/token, OIDC discovery; also the base of iD URIs. */
  registry: string;
  /** Member API host (…/v3.0/…). */
  memberApi: string;
  /** Public API host. */
  publicApi: string;
}

const PRODUCTION: OrcidEnvironment = {
  name: 'production',
  registry: 'https://orcid.org',
  memberApi: 'https://api.orcid.org',
  publicApi: 'https://pub.orcid.org',
};

const SANDBOX: OrcidEnvironment = {
  name: 'sandbox',
  registry: 'https://sandbox.orcid.org',
  memberApi: 'https://api.sandbox.orcid.org',
  publicApi: 'https://pub.sandbox.orcid.org',
};

/**
 * The environment's URLs. `local` is the bundled simulator: one base URL serving the registry at
 * `/`, the member API at `/api` and the public API at `/pub`.
 */
export function orcidEnvironment(name: OrcidEnvironmentName, localBase?: string): OrcidEnvironment {
  if (name === 'production') return PRODUCTION;
  if (name === 'sandbox') return SANDBOX;
  if (!localBase) throw new Error('the local ORCID environment needs the simulator base URL');
  const base = localBase.replace(/\/+$/, '');
  return { name, registry: base, memberApi: `${base}/api`, publicApi: `${base}/pub` };
}
