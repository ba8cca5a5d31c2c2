// The integration-review report an organisation shows ORCID before production credentials: each
// line of ORCID's Member API credentials checklist and of the Collect & Connect badges, with this
// organisation's live evidence (counts from its data, its settings, what the portal sends ORCID)
// and whether it is met. Lines are text keys and values; the page and the JSON export render them.
import type { IntegrationReviewRepository, ReviewEvidence } from '../db/integration-review.repository.js';
import type { Tenant } from '../db/tenant.repository.js';
import type { OrcidClients } from './orcid-clients.js';

export type Verdict = 'met' | 'not_met' | 'not_yet';

export interface ReviewLine {
  id: string;
  verdict: Verdict;
  /** Values for the line's evidence text (console.review.<id>.evidence). */
  values: Record<string, string>;
}

export interface IntegrationReview {
  organisation: string;
  environment: string;
  generatedAt: string;
  checklist: ReviewLine[];
  badges: ReviewLine[];
  evidence: ReviewEvidence;
}

const scopesOf = (s: string) => s.split(/\s+/).filter(Boolean);
const share = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 1000) / 10}%` : '–');
/** Met when there is evidence, "not yet" when nothing has happened that would show it. */
const shown = (ok: boolean, happened: boolean): Verdict => (!happened ? 'not_yet' : ok ? 'met' : 'not_met');

export class IntegrationReviewService {
  constructor(
    private readonly d: { review: IntegrationReviewRepository; orcid: OrcidClients; publicUrl: () => string },
  ) {}

  async report(tenant: Tenant): Promise<IntegrationReview> {
    const e = await this.d.review.evidence(tenant.id);
    const scopes = scopesOf(tenant.scopes);
    const { oauth } = await this.d.orcid.for(tenant);
    // What the portal sends ORCID when a person connects (a sample person: the parameters only).
    const authorize = new URL(
      oauth.authorizeUrl({
        scope: tenant.scopes,
        redirectUri: tenant.redirect_uri,
        state: 'sample',
        prompt: 'login',
        lang: 'en',
        email: 'person@example.org',
        givenNames: 'Given',
        familyNames: 'Family',
      }),
    );
    const base = `${this.d.publicUrl()}/o/${tenant.slug}`;
    const https = new URL(tenant.redirect_uri).protocol === 'https:';
    const texts = tenant.portal_texts;
    const writeScope = scopes.some((s) => s === '/activities/update' || s === '/person/update');
    const readScope = scopes.includes('/read-limited');
    const checklist: ReviewLine[] = [
      {
        id: 'oauth',
        verdict: shown(e.linksFromOauth === e.links, e.links > 0),
        values: { links: String(e.links), fromOauth: String(e.linksFromOauth), granted: String(e.granted) },
      },
      { id: 'scopes', verdict: scopes.length ? 'met' : 'not_met', values: { scopes: tenant.scopes } },
      {
        id: 'display',
        verdict: 'met',
        values: { list: `${base}/people`, api: `${base}/api/people/{local-id}` },
      },
      {
        id: 'tokens',
        verdict: shown(e.tokensSealed === e.tokensStored, e.tokensStored > 0),
        values: { stored: String(e.tokensStored), sealed: String(e.tokensSealed) },
      },
      {
        id: 'secret',
        verdict: e.secretSealed ? 'met' : 'not_met',
        values: {},
      },
      {
        id: 'redirect',
        verdict: https || tenant.orcid_environment === 'local' ? 'met' : 'not_met',
        values: { uri: tenant.redirect_uri },
      },
      {
        id: 'putCodes',
        verdict: shown(e.itemsWithPutCode === e.itemsWritten, e.itemsWritten > 0),
        values: {
          written: String(e.itemsWritten),
          withPutCode: String(e.itemsWithPutCode),
          share: share(e.itemsWithPutCode, e.itemsWritten),
        },
      },
      {
        id: 'postPut',
        verdict: shown(true, e.posts30d > 0),
        values: { posts: String(e.posts30d), puts: String(e.puts30d), deletes: String(e.deletes30d) },
      },
      { id: 'logged', verdict: shown(true, e.calls7d > 0), values: { calls: String(e.calls7d) } },
      {
        id: 'errors',
        verdict: tenant.support_contact.trim() ? 'met' : 'not_met',
        values: { contact: tenant.support_contact },
      },
      { id: 'deny', verdict: 'met', values: { denied: String(e.denied) } },
      {
        id: 'disconnect',
        verdict: shown(e.revokedAtOrcid > 0, e.disconnected > 0),
        values: { disconnected: String(e.disconnected), revoked: String(e.revokedAtOrcid) },
      },
      {
        id: 'prefill',
        verdict:
          authorize.searchParams.get('prompt') === 'login' && authorize.searchParams.has('family_names')
            ? 'met'
            : 'not_met',
        values: {
          params: [...authorize.searchParams.keys()].filter((k) => k !== 'state').join(', '),
        },
      },
      {
        id: 'purpose',
        verdict: 'met',
        values: {
          languages:
            Object.keys(texts)
              .filter((l) => texts[l as keyof typeof texts]?.why)
              .join(', ') || '–',
        },
      },
    ];
    const badges: ReviewLine[] = [
      {
        id: 'authenticate',
        verdict: shown(e.linksFromOauth > 0, e.links > 0),
        values: { links: String(e.linksFromOauth) },
      },
      {
        id: 'displayBadge',
        verdict: shown(true, e.activeLinks > 0),
        values: { active: String(e.activeLinks) },
      },
      {
        id: 'collect',
        verdict: readScope ? shown(e.recordsRead > 0, e.links > 0) : 'not_met',
        values: { read: String(e.recordsRead), scope: readScope ? '/read-limited' : '–' },
      },
      {
        id: 'connect',
        verdict: writeScope ? shown(e.itemsWithPutCode > 0, e.itemsWritten > 0 || e.links > 0) : 'not_met',
        values: { written: String(e.itemsWithPutCode) },
      },
      {
        id: 'synchronize',
        verdict: shown(e.readWithin7d > 0 || e.webhooksRegistered > 0, e.activeLinks > 0),
        values: {
          fresh: String(e.readWithin7d),
          active: String(e.activeLinks),
          webhooks: String(e.webhooksRegistered),
          endpoints: String(e.eventEndpoints),
        },
      },
    ];
    return {
      organisation: tenant.name,
      environment: tenant.orcid_environment,
      generatedAt: new Date().toISOString(),
      checklist,
      badges,
      evidence: e,
    };
  }
}
