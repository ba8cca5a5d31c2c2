// The operator console's pages (/operator/): its sign-in, the organisations with their health,
// a new organisation with its first administrator, one organisation (invite, suspend, resume,
// delete), the installation's health, and the page for anyone who is not an operator.
import type { Child } from 'hono/jsx';
import type { AdminInvitation } from '../../db/rows.js';
import type { InstallationHealth } from '../../services/installation-health.service.js';
import type { OrganisationHealth } from '../../services/organisations.service.js';
import type { Language, T } from '../i18n.js';
import { Flash, Problems } from './admin.js';
import { OrcidClientFields } from './admin-settings.js';
import { Hidden, Layout } from './layout.js';

export interface OperatorContext {
  t: T;
  lang: Language;
  path: string;
  csrf: string;
  /** The signed-in operator's address (null: nobody signed in). */
  operator: string | null;
}

export interface NewOrganisationForm {
  name: string;
  slug: string;
  environment: string;
  apiType: string;
  supportContact: string;
  adminEmail: string;
}

export const EMPTY_ORGANISATION_FORM: NewOrganisationForm = {
  name: '',
  slug: '',
  environment: 'sandbox',
  apiType: 'member',
  supportContact: '',
  adminEmail: '',
};

const SECTIONS: Array<[string, string]> = [
  ['/operator/', 'operator.nav.organisations'],
  ['/operator/organisations/new', 'operator.nav.new'],
  ['/operator/health', 'operator.nav.health'],
];

function OperatorPage(props: { c: OperatorContext; title: string; children: Child }) {
  const { c } = props;
  const { t } = c;
  return (
    <Layout
      title={props.title}
      lang={c.lang}
      t={t}
      org={t('operator.console')}
      base="/operator"
      path={c.path}
      signedIn={c.operator ? { csrf: c.csrf } : null}
      wide
    >
      {c.operator ? (
        <nav aria-label={t('operator.nav.label')} class="console-nav">
          {SECTIONS.map(([href, key]) =>
            c.path === href ? (
              <a href={href} aria-current="page">
                <strong>{t(key)}</strong>
              </a>
            ) : (
              <a href={href}>{t(key)}</a>
            ),
          )}
          <span class="muted">{t('operator.signedInAs', { email: c.operator })}</span>
        </nav>
      ) : null}
      {props.children}
    </Layout>
  );
}

export function OperatorSignInPage(props: {
  c: OperatorContext;
  oidc: boolean;
  password: boolean;
  error: string | null;
}) {
  const { c } = props;
  const { t } = c;
  return (
    <OperatorPage c={c} title={t('operator.signIn.title')}>
      <p>{t('operator.signIn.intro')}</p>
      <Flash text={props.error} problem />
      {props.oidc ? (
        <form method="post" action="/operator/sign-in/oidc">
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn" type="submit" id="operator-oidc">
            {t('operator.signIn.oidc')}
          </button>
        </form>
      ) : null}
      {props.password ? (
        <form method="post" action="/operator/sign-in/password">
          <Hidden name="_csrf" value={c.csrf} />
          <p class="muted">{t('operator.signIn.demoNote')}</p>
          <label for="email">{t('operator.signIn.email')}</label>
          <input id="email" name="username" type="text" autocomplete="username" required />
          <label for="password">{t('password')}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <p>
            <button class="btn" type="submit" id="operator-password">
              {t('operator.signIn.submit')}
            </button>
          </p>
        </form>
      ) : null}
      {!props.oidc && !props.password ? <p class="problem">{t('operator.signIn.none')}</p> : null}
    </OperatorPage>
  );
}

export function OperatorForbiddenPage(props: { c: OperatorContext }) {
  const { c } = props;
  const { t } = c;
  return (
    <OperatorPage c={{ ...c, operator: null }} title={t('operator.forbidden.title')}>
      <p class="problem">{t('operator.forbidden.text')}</p>
      <p>
        <a href="/operator/sign-in">{t('operator.forbidden.signIn')}</a>
      </p>
    </OperatorPage>
  );
}

const pct = (n: number) => `${Math.round(n * 100)} %`;
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const counts = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '0';

function StateOf(props: { c: OperatorContext; o: OrganisationHealth }) {
  return (
    <span class={props.o.state === 'active' ? undefined : 'problem'}>
      {props.c.t(`operator.state.${props.o.state}`)}
    </span>
  );
}

export function OrganisationsPage(props: {
  c: OperatorContext;
  list: OrganisationHealth[];
  flash: string | null;
}) {
  const { c } = props;
  const { t } = c;
  return (
    <OperatorPage c={c} title={t('operator.organisations.title')}>
      <Flash text={props.flash} />
      <p>
        <a class="btn" href="/operator/organisations/new" id="new-organisation">
          {t('operator.nav.new')}
        </a>
      </p>
      {props.list.length ? (
        <section class="scroll" tabindex={0} aria-label={t('operator.organisations.title')}>
          <table id="organisations">
            <thead>
              <tr>
                <th scope="col">{t('operator.col.organisation')}</th>
                <th scope="col">{t('operator.col.state')}</th>
                <th scope="col">{t('operator.col.credentials')}</th>
                <th scope="col">{t('operator.col.lastError')}</th>
                <th scope="col">{t('operator.col.rateLimit')}</th>
                <th scope="col">{t('operator.col.queued')}</th>
                <th scope="col">{t('operator.col.links')}</th>
                <th scope="col">{t('operator.col.items')}</th>
              </tr>
            </thead>
            <tbody>
              {props.list.map((o) => (
                <tr data-slug={o.tenant.slug}>
                  <td>
                    <a href={`/operator/organisations/${o.tenant.id}`}>{o.tenant.name}</a>
                    <br />
                    <span class="muted">
                      {o.tenant.slug} · {t(`console.settings.environment.${o.tenant.orcid_environment}`)}
                    </span>
                  </td>
                  <td>
                    <StateOf c={c} o={o} />
                  </td>
                  <td>{t(`operator.credentials.${o.credentials}`)}</td>
                  <td>
                    {o.lastError
                      ? `${o.lastError.at.toISOString().slice(0, 16).replace('T', ' ')} · ${o.lastError.status ?? o.lastError.error ?? ''}`
                      : t('operator.none')}
                  </td>
                  <td>{pct(o.rateLimitUse)}</td>
                  <td>{o.queued.writes + o.queued.syncs}</td>
                  <td>{o.links.active ?? 0}</td>
                  <td>{sum(o.items)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        <p id="no-organisations">{t('operator.organisations.none')}</p>
      )}
    </OperatorPage>
  );
}

export function NewOrganisationPage(props: {
  c: OperatorContext;
  form: NewOrganisationForm;
  problems: string[];
}) {
  const { c, form } = props;
  const { t } = c;
  return (
    <OperatorPage c={c} title={t('operator.new.title')}>
      <p>{t('operator.new.intro')}</p>
      <Problems t={t} problems={props.problems} />
      <form method="post" action="/operator/organisations">
        <Hidden name="_csrf" value={c.csrf} />
        <label for="name">{t('operator.new.name')}</label>
        <input id="name" name="name" type="text" value={form.name} required />
        <label for="slug">{t('operator.new.slug')}</label>
        <input id="slug" name="slug" type="text" value={form.slug} required aria-describedby="slug-note" />
        <p class="muted" id="slug-note">
          {t('operator.new.slugNote')}
        </p>
        <OrcidClientFields
          t={t}
          environments={['sandbox', 'production', 'local']}
          environment={form.environment}
          apiType={form.apiType}
        />
        <label for="supportContact">{t('console.settings.supportContact')}</label>
        <input id="supportContact" name="supportContact" type="text" value={form.supportContact} required />
        <label for="adminEmail">{t('operator.new.adminEmail')}</label>
        <input
          id="adminEmail"
          name="adminEmail"
          type="text"
          value={form.adminEmail}
          autocomplete="off"
          required
        />
        <p class="muted">{t('operator.new.adminNote')}</p>
        <p>
          <button class="btn" type="submit" id="create-organisation">
            {t('operator.new.submit')}
          </button>
        </p>
      </form>
    </OperatorPage>
  );
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');

export function OrganisationPage(props: {
  c: OperatorContext;
  o: OrganisationHealth;
  invitations: AdminInvitation[];
  flash: string | null;
  problems: string[];
  consoleUrl: string;
}) {
  const { c, o } = props;
  const { t } = c;
  const base = `/operator/organisations/${o.tenant.id}`;
  const now = Date.now();
  return (
    <OperatorPage c={c} title={o.tenant.name}>
      <Flash text={props.flash} />
      <Problems t={t} problems={props.problems} />
      <dl id="health">
        <dt>{t('operator.col.state')}</dt>
        <dd id="state">
          <StateOf c={c} o={o} />
        </dd>
        <dt>{t('operator.new.slug')}</dt>
        <dd>
          {o.tenant.slug} · <a href={props.consoleUrl}>{t('operator.organisation.console')}</a>
        </dd>
        <dt>{t('console.settings.environment')}</dt>
        <dd>{t(`console.settings.environment.${o.tenant.orcid_environment}`)}</dd>
        <dt>{t('operator.col.credentials')}</dt>
        <dd id="credentials">{t(`operator.credentials.${o.credentials}`)}</dd>
        <dt>{t('operator.col.lastError')}</dt>
        <dd id="last-error">
          {o.lastError
            ? `${when(o.lastError.at)} · ${o.lastError.status ?? ''} ${o.lastError.error ?? ''} · ${o.lastError.url}`
            : t('operator.none')}
        </dd>
        <dt>{t('operator.col.rateLimit')}</dt>
        <dd>
          {t('operator.rateLimitOf', {
            use: pct(o.rateLimitUse),
            perSecond: String(o.tenant.rate_limit_per_s),
          })}
        </dd>
        <dt>{t('operator.col.queued')}</dt>
        <dd id="queued">
          {t('operator.queuedDetail', {
            writes: String(o.queued.writes),
            syncs: String(o.queued.syncs),
            oldest: String(Math.round(o.queued.oldestSeconds)),
          })}
        </dd>
        <dt>{t('operator.col.links')}</dt>
        <dd id="links">{counts(o.links)}</dd>
        <dt>{t('operator.col.items')}</dt>
        <dd id="items">{counts(o.items)}</dd>
      </dl>

      {o.state === 'deleting' ? (
        <p class="problem" id="deleting">
          {t('operator.organisation.deleting')}
        </p>
      ) : (
        <>
          <section aria-labelledby="admins-heading">
            <h2 id="admins-heading">{t('operator.organisation.admins')}</h2>
            {props.invitations.length ? (
              <table id="admin-invitations">
                <thead>
                  <tr>
                    <th scope="col">{t('operator.new.adminEmail')}</th>
                    <th scope="col">{t('operator.col.invited')}</th>
                    <th scope="col">{t('operator.col.state')}</th>
                  </tr>
                </thead>
                <tbody>
                  {props.invitations.map((i) => (
                    <tr>
                      <td>{i.email}</td>
                      <td>{when(i.created_at)}</td>
                      <td>
                        {i.accepted_at
                          ? t('operator.invitation.accepted', { at: when(i.accepted_at) })
                          : i.expires_at.getTime() <= now
                            ? t('operator.invitation.expired')
                            : i.last_error
                              ? t('operator.invitation.failed', { error: i.last_error })
                              : i.sent_at
                                ? t('operator.invitation.sent', { until: when(i.expires_at) })
                                : t('operator.invitation.waiting')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <form method="post" action={`${base}/invite`}>
              <Hidden name="_csrf" value={c.csrf} />
              <label for="adminEmail">{t('operator.new.adminEmail')}</label>
              <input id="adminEmail" name="adminEmail" type="text" autocomplete="off" required />
              <p>
                <button class="btn-secondary" type="submit" id="invite-admin">
                  {t('operator.organisation.invite')}
                </button>
              </p>
            </form>
          </section>
          <section aria-labelledby="suspend-heading">
            <h2 id="suspend-heading">{t('operator.organisation.suspendTitle')}</h2>
            <p>{t('operator.organisation.suspendText')}</p>
            <form method="post" action={`${base}/${o.state === 'suspended' ? 'resume' : 'suspend'}`}>
              <Hidden name="_csrf" value={c.csrf} />
              <button class="btn-secondary" type="submit" id={o.state === 'suspended' ? 'resume' : 'suspend'}>
                {t(
                  o.state === 'suspended' ? 'operator.organisation.resume' : 'operator.organisation.suspend',
                )}
              </button>
            </form>
          </section>
          <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">{t('operator.organisation.deleteTitle')}</h2>
            <p>{t('operator.organisation.deleteText', { links: String(o.links.active ?? 0) })}</p>
            <form method="post" action={`${base}/delete`}>
              <Hidden name="_csrf" value={c.csrf} />
              <label for="confirm">{t('operator.organisation.deleteConfirm', { slug: o.tenant.slug })}</label>
              <input id="confirm" name="confirm" type="text" autocomplete="off" required />
              <p>
                <button class="btn-secondary" type="submit" id="delete-organisation">
                  {t('operator.organisation.delete')}
                </button>
              </p>
            </form>
          </section>
        </>
      )}
    </OperatorPage>
  );
}

export function InstallationHealthPage(props: { c: OperatorContext; h: InstallationHealth }) {
  const { c, h } = props;
  const { t } = c;
  return (
    <OperatorPage c={c} title={t('operator.health.title')}>
      <dl id="installation">
        <dt>{t('operator.health.database')}</dt>
        <dd id="database">{t(`operator.health.${h.database}`)}</dd>
        <dt>{t('operator.health.queue')}</dt>
        <dd id="queue">{t(`operator.health.${h.queue.reachable}`)}</dd>
        <dt>{t('operator.health.orcidWork')}</dt>
        <dd id="orcid-work">
          {t('operator.queuedDetail', {
            writes: String(h.queue.orcidWork.writes),
            syncs: String(h.queue.orcidWork.syncs),
            oldest: String(Math.round(h.queue.orcidWork.oldestSeconds)),
          })}
        </dd>
        <dt>{t('operator.health.mail')}</dt>
        <dd id="mail">
          {t(`operator.health.mail.${h.mail.check === 'not configured' ? 'none' : h.mail.check}`)}
          {h.mail.check === 'failed' ? <span lang="en"> ({h.mail.detail})</span> : null}
        </dd>
      </dl>
      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">{t('operator.health.jobs')}</h2>
        {h.queue.jobs.length ? (
          <table id="jobs">
            <thead>
              <tr>
                <th scope="col">{t('operator.health.job')}</th>
                <th scope="col">{t('operator.health.waiting')}</th>
                <th scope="col">{t('operator.health.oldest')}</th>
              </tr>
            </thead>
            <tbody>
              {h.queue.jobs.map((j) => (
                <tr>
                  <td>{j.name}</td>
                  <td>{j.waiting}</td>
                  <td>{Math.round(j.oldestSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{t('operator.health.noJobs')}</p>
        )}
      </section>
      <section aria-labelledby="workers-heading">
        <h2 id="workers-heading">{t('operator.health.workers')}</h2>
        {h.workers.length ? (
          <table id="workers">
            <thead>
              <tr>
                <th scope="col">{t('operator.health.host')}</th>
                <th scope="col">{t('operator.health.started')}</th>
                <th scope="col">{t('operator.health.seen')}</th>
              </tr>
            </thead>
            <tbody>
              {h.workers.map((w) => (
                <tr>
                  <td>
                    {w.host} ({w.pid})
                  </td>
                  <td>{when(w.started_at)}</td>
                  <td class={w.silent ? 'problem' : undefined}>
                    {when(w.seen_at)}
                    {w.silent ? ` · ${t('operator.health.silent')}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="problem" id="no-workers">
            {t('operator.health.noWorkers')}
          </p>
        )}
      </section>
      <section aria-labelledby="environments-heading">
        <h2 id="environments-heading">{t('operator.health.environments')}</h2>
        <table id="environments">
          <thead>
            <tr>
              <th scope="col">{t('console.settings.environment')}</th>
              <th scope="col">{t('operator.col.organisation')}</th>
              <th scope="col">{t('operator.health.reachable')}</th>
            </tr>
          </thead>
          <tbody>
            {h.environments.map((e) => (
              <tr data-environment={e.name}>
                <td>{t(`console.settings.environment.${e.name}`)}</td>
                <td>{e.organisations}</td>
                <td class={e.reachable ? undefined : 'problem'}>
                  {e.reachable ? t('operator.health.ok') : t('operator.health.unreachable')}{' '}
                  <span lang="en">
                    ({e.detail}, {e.ms} ms)
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </OperatorPage>
  );
}
