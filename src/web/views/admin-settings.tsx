// The console's settings: the organisation's ORCID credentials (the secret is write-only), the
// scopes asked in words, webhooks, the name and support contact; "Test connection"; and the
// values to enter on ORCID's client registration form, each with a copy button.
import type { Tenant } from '../../db/rows.js';
import { LANGUAGE_NAMES, LANGUAGES, type Language, type T } from '../i18n.js';
import { AdminPage, Flash, Problems, ShownOnce } from './admin.js';
import { Hidden } from './layout.js';
import type { PageContext } from './portal.js';

/** The scopes an organisation may ask, in the order ORCID lists them. */
export const ASKABLE_SCOPES = [
  'openid',
  '/authenticate',
  '/read-limited',
  '/activities/update',
  '/person/update',
];

export interface SettingsForm {
  environment: string;
  apiType: string;
  clientId: string;
  scopes: string[];
  webhooks: boolean;
  name: string;
  supportContact: string;
  /** The organisation's own words on the connect page, per language. */
  texts: Record<Language, { why: string; use: string; deny: string }>;
  employmentOnConnect: boolean;
  reconcileEveryDays: string;
  reconcileShare: string;
  reconsentInvitation: boolean;
  followOrcidName: boolean;
}

export const settingsFormOf = (t: Tenant): SettingsForm => ({
  environment: t.orcid_environment,
  apiType: t.api_type,
  clientId: t.client_id,
  scopes: t.scopes.split(/\s+/).filter(Boolean),
  webhooks: t.sync_settings.webhooks === true,
  name: t.name,
  supportContact: t.support_contact,
  texts: Object.fromEntries(
    LANGUAGES.map((l) => [
      l,
      {
        why: t.portal_texts[l]?.why ?? '',
        use: t.portal_texts[l]?.use ?? '',
        deny: t.portal_texts[l]?.deny ?? '',
      },
    ]),
  ) as SettingsForm['texts'],
  employmentOnConnect: t.employment_on_connect,
  reconcileEveryDays:
    t.sync_settings.reconcileEveryDays === undefined ? '' : String(t.sync_settings.reconcileEveryDays),
  reconcileShare: t.sync_settings.reconcileShare === undefined ? '' : String(t.sync_settings.reconcileShare),
  reconsentInvitation: t.sync_settings.reconsentInvitation === true,
  followOrcidName: t.sync_settings.followOrcidName === true,
});

const Check = (props: { id: string; name: string; checked: boolean; label: string }) => (
  <div class="check">
    <input type="checkbox" id={props.id} name={props.name} value="yes" checked={props.checked} />{' '}
    <label for={props.id}>{props.label}</label>
  </div>
);

/** The ORCID environment and the kind of API client, as ORCID's registration names them. */
export function OrcidClientFields(props: {
  t: T;
  environments: string[];
  environment: string;
  apiType: string;
}) {
  const { t } = props;
  return (
    <>
      <label for="environment">{t('console.settings.environment')}</label>
      <select id="environment" name="environment">
        {props.environments.map((e) => (
          <option value={e} selected={props.environment === e}>
            {t(`console.settings.environment.${e}`)}
          </option>
        ))}
      </select>
      <label for="apiType">{t('console.settings.apiType')}</label>
      <select id="apiType" name="apiType">
        {['member', 'public'].map((a) => (
          <option value={a} selected={props.apiType === a}>
            {t(`console.settings.apiType.${a}`)}
          </option>
        ))}
      </select>
    </>
  );
}

export function SettingsPage(props: {
  c: PageContext;
  tenant: Tenant;
  form: SettingsForm;
  problems: string[];
  flash: string | null;
  problem: string | null;
}) {
  const { c, form } = props;
  const { t } = c;
  const url = `${c.base}/admin/settings`;
  const environments =
    props.tenant.orcid_environment === 'local'
      ? ['local', 'sandbox', 'production']
      : ['sandbox', 'production'];
  return (
    <AdminPage c={c} title={t('console.settings.title')}>
      <Flash text={props.flash} />
      <Flash text={props.problem} problem />
      <Problems t={t} problems={props.problems} />
      <section aria-labelledby="orcid-credentials">
        <h2 id="orcid-credentials">{t('console.settings.orcid')}</h2>
        <p>{t('console.settings.orcidText')}</p>
        <form method="post" action={`${url}/orcid`}>
          <Hidden name="_csrf" value={c.csrf} />
          <OrcidClientFields
            t={t}
            environments={environments}
            environment={form.environment}
            apiType={form.apiType}
          />
          <label for="clientId">{t('console.settings.clientId')}</label>
          <input
            id="clientId"
            name="clientId"
            type="text"
            value={form.clientId}
            autocomplete="off"
            required
          />
          <label for="clientSecret">{t('console.settings.clientSecret')}</label>
          <input id="clientSecret" name="clientSecret" type="password" value="" autocomplete="new-password" />
          <p class="muted">{t('console.settings.clientSecretNote')}</p>
          <fieldset>
            <legend>{t('console.settings.scopes')}</legend>
            {ASKABLE_SCOPES.map((s, i) => (
              <div class="check">
                <input
                  type="checkbox"
                  id={`scope-${i}`}
                  name="scopes"
                  value={s}
                  checked={form.scopes.includes(s)}
                />{' '}
                <label for={`scope-${i}`}>
                  {t(`scope.${s}`)} <code>{s}</code>
                </label>
              </div>
            ))}
          </fieldset>
          <div class="check">
            <input type="checkbox" id="webhooks" name="webhooks" value="yes" checked={form.webhooks} />{' '}
            <label for="webhooks">{t('console.settings.webhooks')}</label>
          </div>
          <p>
            <button class="btn" type="submit" id="save-orcid">
              {t('console.settings.save')}
            </button>
          </p>
        </form>
        <form method="post" action={`${url}/test`}>
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn-secondary" type="submit" id="test-connection">
            {t('console.settings.test')}
          </button>
        </form>
        <p>
          <a href={`${url}/registration`}>{t('console.settings.registrationLink')}</a>
        </p>
        <p>
          <a href={`${url}/api-keys`}>{t('console.apiKeys.title')}</a>
        </p>
        <p>
          <a href={`${url}/sign-in`}>{t('console.signIn.title')}</a>
        </p>
        <p>
          <a href={`${url}/events`}>{t('console.events.title')}</a>
        </p>
      </section>
      <section aria-labelledby="portal-settings">
        <h2 id="portal-settings">{t('console.settings.portal')}</h2>
        <form method="post" action={`${url}/portal`}>
          <Hidden name="_csrf" value={c.csrf} />
          {LANGUAGES.map((l) => (
            <fieldset lang={l}>
              <legend>{LANGUAGE_NAMES[l]}</legend>
              <label for={`why-${l}`}>{t('console.settings.why')}</label>
              <textarea id={`why-${l}`} name={`why_${l}`} rows={3} cols={60}>
                {form.texts[l].why}
              </textarea>
              <label for={`use-${l}`}>{t('console.settings.use')}</label>
              <textarea id={`use-${l}`} name={`use_${l}`} rows={3} cols={60}>
                {form.texts[l].use}
              </textarea>
              <label for={`deny-${l}`}>{t('console.settings.deny')}</label>
              <textarea id={`deny-${l}`} name={`deny_${l}`} rows={3} cols={60}>
                {form.texts[l].deny}
              </textarea>
            </fieldset>
          ))}
          <Check
            id="employmentOnConnect"
            name="employmentOnConnect"
            checked={form.employmentOnConnect}
            label={t('console.settings.employmentOnConnect')}
          />
          <label for="reconcileEveryDays">{t('console.settings.reconcileEveryDays')}</label>
          <input
            id="reconcileEveryDays"
            name="reconcileEveryDays"
            type="number"
            min="1"
            max="365"
            value={form.reconcileEveryDays}
          />
          <label for="reconcileShare">{t('console.settings.reconcileShare')}</label>
          <input
            id="reconcileShare"
            name="reconcileShare"
            type="number"
            min="0.01"
            max="1"
            step="0.01"
            value={form.reconcileShare}
          />
          <Check
            id="reconsentInvitation"
            name="reconsentInvitation"
            checked={form.reconsentInvitation}
            label={t('console.settings.reconsentInvitation')}
          />
          <Check
            id="followOrcidName"
            name="followOrcidName"
            checked={form.followOrcidName}
            label={t('console.settings.followOrcidName')}
          />
          <p>
            <button class="btn" type="submit" id="save-portal">
              {t('console.settings.save')}
            </button>
          </p>
        </form>
      </section>
      <section aria-labelledby="organisation-settings">
        <h2 id="organisation-settings">{t('console.settings.organisation')}</h2>
        <form method="post" action={`${url}/organisation`}>
          <Hidden name="_csrf" value={c.csrf} />
          <label for="name">{t('console.settings.name')}</label>
          <input id="name" name="name" type="text" value={form.name} required />
          <label for="supportContact">{t('console.settings.supportContact')}</label>
          <input id="supportContact" name="supportContact" type="text" value={form.supportContact} required />
          <p>
            <button class="btn" type="submit" id="save-organisation">
              {t('console.settings.save')}
            </button>
          </p>
        </form>
      </section>
    </AdminPage>
  );
}

/** One value to copy onto ORCID's form. */
function Value(props: { c: PageContext; id: string; label: string; value: string; note?: string | null }) {
  return (
    <div class="copy-value">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="text" readonly value={props.value} />
      <button class="btn-secondary" type="button" data-copy={props.id}>
        {props.c.t('console.registration.copy')}
      </button>
      {props.note ? <p class="muted">{props.note}</p> : null}
    </div>
  );
}

export function RegistrationPage(props: {
  c: PageContext;
  tenant: Tenant;
  website: string;
  description: string;
  redirectUris: string[];
}) {
  const { c, tenant } = props;
  const { t } = c;
  const production = tenant.orcid_environment === 'production';
  return (
    <AdminPage c={c} title={t('console.registration.title')}>
      <p>{t('console.registration.intro')}</p>
      <section aria-labelledby="values">
        <h2 id="values">{t('console.registration.values')}</h2>
        <Value
          c={c}
          id="reg-name"
          label={t('console.registration.name')}
          value={tenant.name}
          note={t('console.registration.nameNote')}
        />
        <Value c={c} id="reg-website" label={t('console.registration.website')} value={props.website} />
        <Value
          c={c}
          id="reg-description"
          label={t('console.registration.description')}
          value={props.description}
          note={t('console.registration.descriptionNote')}
        />
        {props.redirectUris.map((uri, i) => (
          <Value
            c={c}
            id={`reg-redirect-${i}`}
            label={t('console.registration.redirectUri')}
            value={uri}
            note={
              production && !uri.startsWith('https://')
                ? t('console.registration.httpsRequired')
                : t('console.registration.redirectNote')
            }
          />
        ))}
      </section>
      <section aria-labelledby="steps">
        <h2 id="steps">{t('console.registration.steps')}</h2>
        <ol>
          <li>{t('console.registration.step1')}</li>
          <li>{t('console.registration.step2')}</li>
          <li>
            {t('console.registration.step3')} <a href={`${c.base}/admin/review`}>{t('console.nav.review')}</a>
          </li>
          <li>{t('console.registration.step4')}</li>
        </ol>
      </section>
      <script src="/assets/copy-buttons.js" defer />
    </AdminPage>
  );
}

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const minute = (d: Date) => new Date(d).toISOString().slice(0, 16).replace('T', ' ');

/** The organisation's API keys; a key just made is shown here once. */
export function ApiKeysPage(props: {
  c: PageContext;
  keys: ApiKeyRow[];
  made: { name: string; key: string } | null;
  flash: string | null;
}) {
  const { c } = props;
  const { t } = c;
  const url = `${c.base}/admin/settings/api-keys`;
  return (
    <AdminPage c={c} title={t('console.apiKeys.title')}>
      <Flash text={props.flash} />
      <p>{t('console.apiKeys.intro')}</p>
      {props.made ? (
        <ShownOnce
          t={t}
          heading={t('console.apiKeys.made', { name: props.made.name })}
          note={t('console.apiKeys.onlyOnce')}
          id="made-key"
          label={t('console.apiKeys.key')}
          value={props.made.key}
        />
      ) : null}
      <form method="post" action={url}>
        <Hidden name="_csrf" value={c.csrf} />
        <label for="key-name">{t('console.apiKeys.name')}</label>
        <input id="key-name" name="name" type="text" required maxlength={100} />
        <p>
          <button class="btn" type="submit" id="make-key">
            {t('console.apiKeys.make')}
          </button>
        </p>
      </form>
      {props.keys.length ? (
        <table id="api-keys">
          <thead>
            <tr>
              <th scope="col">{t('console.apiKeys.name')}</th>
              <th scope="col">{t('console.apiKeys.starts')}</th>
              <th scope="col">{t('console.apiKeys.madeOn')}</th>
              <th scope="col">{t('console.apiKeys.lastUsed')}</th>
              <th scope="col">{t('console.apiKeys.state')}</th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map((k) => (
              <tr data-key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{minute(k.created_at)}</td>
                <td>{k.last_used_at ? minute(k.last_used_at) : t('console.apiKeys.never')}</td>
                <td>
                  {k.revoked_at ? (
                    t('console.apiKeys.revokedOn', { when: minute(k.revoked_at) })
                  ) : (
                    <form method="post" action={`${url}/${k.id}/revoke`}>
                      <Hidden name="_csrf" value={c.csrf} />
                      <button class="btn-secondary" type="submit" id={`revoke-key-${k.id}`}>
                        {t('console.apiKeys.revoke')}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('console.apiKeys.none')}</p>
      )}
    </AdminPage>
  );
}

export interface SignInForm {
  oidcIssuer: string;
  oidcClientId: string;
  oidcLabel: string;
  samlEntityId: string;
  samlLabel: string;
  samlMetadata: string;
  /** Where the IdP publishes its metadata (read once, when saved). */
  samlMetadataFrom: string;
}

export const signInFormOf = (t: Tenant, entityId: string): SignInForm => ({
  oidcIssuer: t.sign_in.oidc?.issuer ?? '',
  oidcClientId: t.sign_in.oidc?.clientId ?? '',
  oidcLabel: t.sign_in.oidc?.label ?? '',
  samlEntityId: entityId,
  samlLabel: t.sign_in.saml?.label ?? '',
  samlMetadata: '',
  samlMetadataFrom: '',
});

/** Runs the sign-in as a person would, but shows who it names instead of signing them in. */
function TrySignIn(props: { c: PageContext; method: 'oidc' | 'saml' }) {
  const { c } = props;
  return (
    <form method="post" action={`${c.base}/signin/${props.method}`}>
      <Hidden name="_csrf" value={c.csrf} />
      <Hidden name="trial" value="yes" />
      <button class="btn-secondary" type="submit" id={`try-${props.method}`}>
        {c.t('console.signIn.try')}
      </button>{' '}
      <span class="muted">{c.t('console.signIn.tryNote')}</span>
    </form>
  );
}

/** Institutional sign-in: what the IdP registers, and the OIDC and SAML settings. */
export function SignInSettingsPage(props: {
  c: PageContext;
  tenant: Tenant;
  endpoints: { oidcRedirectUri: string; samlEntityId: string; samlAcs: string; samlMetadataUrl: string };
  form: SignInForm;
  problems: string[];
  flash: string | null;
  problem: string | null;
}) {
  const { c, form, endpoints } = props;
  const { t } = c;
  const url = `${c.base}/admin/settings/sign-in`;
  const saml = props.tenant.sign_in.saml;
  return (
    <AdminPage c={c} title={t('console.signIn.title')}>
      <Flash text={props.flash} />
      <Flash text={props.problem} problem />
      <Problems t={t} problems={props.problems} />
      <section aria-labelledby="oidc">
        <h2 id="oidc">{t('console.signIn.oidc')}</h2>
        <Value
          c={c}
          id="oidc-redirect"
          label={t('console.signIn.oidcRedirect')}
          value={endpoints.oidcRedirectUri}
        />
        <form method="post" action={`${url}/oidc`}>
          <Hidden name="_csrf" value={c.csrf} />
          <label for="oidcIssuer">{t('console.signIn.issuer')}</label>
          <input id="oidcIssuer" name="oidcIssuer" type="text" value={form.oidcIssuer} />
          <label for="oidcClientId">{t('console.signIn.clientId')}</label>
          <input id="oidcClientId" name="oidcClientId" type="text" value={form.oidcClientId} />
          <label for="oidcClientSecret">{t('console.signIn.clientSecret')}</label>
          <input
            id="oidcClientSecret"
            name="oidcClientSecret"
            type="password"
            value=""
            autocomplete="new-password"
          />
          <p class="muted">{t('console.settings.clientSecretNote')}</p>
          <label for="oidcLabel">{t('console.signIn.label')}</label>
          <input id="oidcLabel" name="oidcLabel" type="text" value={form.oidcLabel} />
          <p class="muted">{t('console.signIn.emptyRemoves')}</p>
          <p>
            <button class="btn" type="submit" id="save-oidc">
              {t('console.settings.save')}
            </button>
          </p>
        </form>
        {props.tenant.sign_in.oidc ? <TrySignIn c={c} method="oidc" /> : null}
      </section>
      <section aria-labelledby="saml">
        <h2 id="saml">{t('console.signIn.saml')}</h2>
        <Value
          c={c}
          id="saml-metadata-url"
          label={t('console.signIn.metadataUrl')}
          value={endpoints.samlMetadataUrl}
        />
        <Value c={c} id="saml-acs" label={t('console.signIn.acs')} value={endpoints.samlAcs} />
        <p>
          {saml ? t('console.signIn.samlNow', { entryPoint: saml.entryPoint }) : t('console.signIn.samlNone')}
        </p>
        <form method="post" action={`${url}/saml`}>
          <Hidden name="_csrf" value={c.csrf} />
          <label for="samlEntityId">{t('console.signIn.entityId')}</label>
          <input id="samlEntityId" name="samlEntityId" type="text" value={form.samlEntityId} />
          <label for="samlMetadata">{t('console.signIn.idpMetadata')}</label>
          <textarea id="samlMetadata" name="samlMetadata" rows={8} cols={60}>
            {form.samlMetadata}
          </textarea>
          <label for="samlMetadataFile">{t('console.signIn.idpMetadataFile')}</label>
          <input
            id="samlMetadataFile"
            type="file"
            accept=".xml,application/xml,text/xml"
            data-fill="samlMetadata"
          />
          <label for="samlMetadataFrom">{t('console.signIn.idpMetadataUrl')}</label>
          <input id="samlMetadataFrom" name="samlMetadataFrom" type="text" value={form.samlMetadataFrom} />
          <p class="muted">{t('console.signIn.idpMetadataUrlNote')}</p>
          <label for="samlLabel">{t('console.signIn.label')}</label>
          <input id="samlLabel" name="samlLabel" type="text" value={form.samlLabel} />
          <p>
            <button class="btn" type="submit" id="save-saml">
              {t('console.settings.save')}
            </button>
          </p>
        </form>
        {saml ? <TrySignIn c={c} method="saml" /> : null}
      </section>
      <script src="/assets/copy-buttons.js" defer />
    </AdminPage>
  );
}
