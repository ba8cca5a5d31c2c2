// The console's frame: every administrator page has the console's navigation (its sections in
// order), the page's messages (Flash) and, for those who may not enter, the page that says why.
// The sections' own pages are in admin-*.tsx.
import type { Child } from 'hono/jsx';
import type { T } from '../i18n.js';
import { Layout } from './layout.js';
import type { PageContext } from './portal.js';

/** The console's sections, in the navigation's order (path under /admin/, text key). */
const SECTIONS: Array<[string, string]> = [
  ['overview', 'console.nav.overview'],
  ['people', 'console.nav.people'],
  ['invitations', 'console.nav.invitations'],
  ['', 'console.nav.uploads'],
  ['calls', 'console.nav.calls'],
  ['export', 'console.nav.export'],
  ['audit', 'console.nav.audit'],
  ['review', 'console.nav.review'],
  ['organisation', 'console.nav.organisation'],
  ['registry', 'console.nav.registry'],
  ['settings', 'console.nav.settings'],
];

export function AdminPage(props: { c: PageContext; title: string; children: Child }) {
  const { c } = props;
  const { t } = c;
  return (
    <Layout
      title={props.title}
      lang={c.lang}
      t={t}
      org={c.org}
      base={c.base}
      path={c.path}
      supportContact={c.supportContact}
      signedIn={{ csrf: c.csrf }}
      wide
    >
      <nav aria-label={t('console.nav.label')} class="console-nav">
        {SECTIONS.map(([path, key]) => {
          const href = `${c.base}/admin/${path}`;
          const here = path ? c.path.startsWith(href) : c.path === href;
          return here ? (
            <a href={href} aria-current="page">
              <strong>{t(key)}</strong>
            </a>
          ) : (
            <a href={href}>{t(key)}</a>
          );
        })}
        <a href={`${c.base}/`}>{t('console.nav.portal')}</a>
      </nav>
      {props.children}
    </Layout>
  );
}

/** What the previous action did (or why it did not), shown once at the top of a console page. */
export function Flash(props: { text: string | null; problem?: boolean }) {
  if (!props.text) return null;
  return props.problem ? (
    <p class="problem" role="alert" id="problem">
      {props.text}
    </p>
  ) : (
    <p class="flash" role="status" id="flash">
      {props.text}
    </p>
  );
}

export function AdminForbiddenPage(props: { c: PageContext; signedIn: boolean }) {
  const { c } = props;
  const { t } = c;
  return (
    <AdminPage c={c} title={t('console.forbidden.title')}>
      {props.signedIn ? (
        <p class="problem">{t('console.forbidden.notAdmin', { org: c.org })}</p>
      ) : (
        <p>
          {t('console.forbidden.signInFirst')} <a href={`${c.base}/`}>{t('console.forbidden.signInLink')}</a>,{' '}
          {t('console.forbidden.thenComeBack')}
        </p>
      )}
    </AdminPage>
  );
}

/**
 * Every problem of a refused form, listed at once (in English, as the CLI says them) under the
 * page's "nothing was changed".
 */
export function Problems(props: { t: T; problems: readonly string[] }) {
  if (!props.problems.length) return null;
  return (
    <div class="problem" role="alert" id="problems">
      <p>{props.t('console.settings.nothingChanged')}</p>
      <ul lang="en">
        {props.problems.map((p) => (
          <li>{p}</li>
        ))}
      </ul>
    </div>
  );
}

/** A secret shown in this answer only (an API key, an endpoint's signing secret), with a Copy button. */
export function ShownOnce(props: {
  t: T;
  heading: string;
  note: string;
  id: string;
  label: string;
  value: string;
}) {
  return (
    <section aria-labelledby={`${props.id}-heading`} class="flash">
      <h2 id={`${props.id}-heading`}>{props.heading}</h2>
      <p>{props.note}</p>
      <div class="copy-value">
        <label for={props.id}>{props.label}</label>
        <input id={props.id} type="text" readonly value={props.value} />
        <button class="btn-secondary" type="button" data-copy={props.id}>
          {props.t('console.registration.copy')}
        </button>
      </div>
      <script src="/assets/copy-buttons.js" defer />
    </section>
  );
}
