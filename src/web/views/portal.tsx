// The researcher portal's pages: sign-in, the connect / connected page, the explanation page
// when a connection did not happen, and the public list of authenticated iDs.
import type { Child } from 'hono/jsx';
import type { DisplayedId, WrittenItem } from '../../db/rows.js';
import type { RecordSummary } from '../../domain/record-summary.js';
import type { ConnectProblem } from '../../services/connect-orcid.service.js';
import type { Language, T } from '../i18n.js';
import { Hidden, Layout, OrcidIcon, OrcidId } from './layout.js';

/** What every portal page knows about the organisation and the request. */
export interface PageContext {
  t: T;
  lang: Language;
  org: string;
  base: string;
  path: string;
  supportContact: string;
  registry: string;
  csrf: string;
  signedIn: boolean;
}

function Page(props: { c: PageContext; title: string; children: Child }) {
  const { c } = props;
  return (
    <Layout
      title={props.title}
      lang={c.lang}
      t={c.t}
      org={c.org}
      base={c.base}
      path={c.path}
      supportContact={c.supportContact}
      signedIn={c.signedIn ? { csrf: c.csrf } : null}
    >
      {props.children}
    </Layout>
  );
}

export function SignInPage(props: {
  c: PageContext;
  directory: boolean;
  oidcLabel: string | null;
  samlLabel: string | null;
  orcidSignIn: boolean;
  error: string | null;
}) {
  const { c } = props;
  const { t } = c;
  return (
    <Page c={c} title={t('signInTitle', { org: c.org })}>
      <p>{t('signInIntro', { org: c.org })}</p>
      {props.error ? (
        <p class="problem" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.oidcLabel !== null ? (
        <form method="post" action={`${c.base}/signin/oidc`}>
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn" type="submit" id="oidc-signin">
            {t('signInWith', { label: props.oidcLabel || t('institutionalAccount') })}
          </button>
        </form>
      ) : null}
      {props.samlLabel !== null ? (
        <form method="post" action={`${c.base}/signin/saml`}>
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn" type="submit">
            {t('signInWith', { label: props.samlLabel || t('institutionalAccount') })}
          </button>
        </form>
      ) : null}
      {props.directory ? (
        <section aria-labelledby="directory-heading">
          <h2 id="directory-heading">{t('signIn')}</h2>
          <p class="muted">{t('demoDirectoryNote')}</p>
          <form method="post" action={`${c.base}/signin/directory`}>
            <Hidden name="_csrf" value={c.csrf} />
            <label for="username">{t('username')}</label>
            <input id="username" name="username" type="text" autocomplete="username" required />
            <label for="password">{t('password')}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
            <p>
              <button class="btn" type="submit" id="signin-button">
                {t('signIn')}
              </button>
            </p>
          </form>
        </section>
      ) : null}
      {props.oidcLabel === null && props.samlLabel === null && !props.directory && !props.orcidSignIn ? (
        <p class="problem" id="no-sign-in">
          {t('signInNotSetUp', { org: c.org, contact: c.supportContact })}
        </p>
      ) : null}
      {props.orcidSignIn ? (
        <section aria-labelledby="orcid-signin-heading">
          <h2 id="orcid-signin-heading">{t('signInWithOrcid')}</h2>
          <p class="muted">{t('signInWithOrcidNote')}</p>
          <form method="post" action={`${c.base}/signin/orcid`}>
            <Hidden name="_csrf" value={c.csrf} />
            <button class="orcid-button" type="submit">
              <OrcidIcon size={24} alt="" />
              {t('signInWithOrcid')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

function ConnectButton(props: { c: PageContext }) {
  const { c } = props;
  return (
    <form method="post" action={`${c.base}/connect`}>
      <Hidden name="_csrf" value={c.csrf} />
      <button class="orcid-button" type="submit" id="connect-orcid">
        <OrcidIcon size={24} alt="" />
        {c.t('connectButton')}
      </button>
    </form>
  );
}

function Explanation(props: { c: PageContext; why: string | null; use: string | null; scopes: string[] }) {
  const { c } = props;
  const { t } = c;
  return (
    <>
      <section aria-labelledby="why-heading">
        <h2 id="why-heading">{t('whyTitle', { org: c.org })}</h2>
        <p>{props.why ?? t('whyDefault', { org: c.org })}</p>
      </section>
      <section aria-labelledby="use-heading">
        <h2 id="use-heading">{t('useTitle', { org: c.org })}</h2>
        <p>{props.use ?? t('useDefault', { org: c.org })}</p>
      </section>
      <section aria-labelledby="scopes-heading">
        <h2 id="scopes-heading">{t('permissionsTitle', { org: c.org })}</h2>
        <ul>
          {props.scopes.map((s) => (
            <li>{t(`scope.${s}`, { defaultValue: s })}</li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** What the organisation wrote (or will write) to the record, each status in plain words. */
function WrittenItems(props: { c: PageContext; items: WrittenItem[] }) {
  const { c } = props;
  const { t } = c;
  return (
    <section aria-labelledby="written-heading">
      <h2 id="written-heading">{t('writtenTitle', { org: c.org })}</h2>
      {props.items.length ? (
        <table id="written-items">
          <thead>
            <tr>
              <th scope="col">{t('itemColumn')}</th>
              <th scope="col">{t('sectionColumn')}</th>
              <th scope="col">{t('statusColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((i) => (
              <tr data-status={i.status}>
                <td>{i.label}</td>
                <td>{t(`section.${i.section}`, { defaultValue: i.section })}</td>
                <td>{t(`status.${i.status}`, { defaultValue: i.status })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">{t('writtenNone', { org: c.org })}</p>
      )}
    </section>
  );
}

export interface PortalView {
  personName: string;
  items: WrittenItem[];
  flash: string | null;
  why: string | null;
  use: string | null;
  askedScopes: string[];
  link: {
    orcid: string;
    scopes: string[];
    grantedAt: Date;
    needsMore: boolean;
    syncedAt: Date | null;
  } | null;
  summary: RecordSummary | null;
  /** Items of the collected copy, per section. */
  held: Record<string, number>;
}

/** When the record was last read, and what the organisation holds of it, per section. */
function HeldFromRecord(props: { c: PageContext; syncedAt: Date | null; held: Record<string, number> }) {
  const { c } = props;
  const { t } = c;
  const sections = Object.entries(props.held).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="held-heading">
      <h2 id="held-heading">{t('heldTitle', { org: c.org })}</h2>
      <p class="muted">{t('heldText', { org: c.org })}</p>
      <p id="last-synced">
        {props.syncedAt
          ? t('lastSynced', { date: props.syncedAt.toLocaleString(c.lang) })
          : t('notSyncedYet')}
      </p>
      {sections.length ? (
        <table id="held-sections">
          <thead>
            <tr>
              <th scope="col">{t('sectionColumn')}</th>
              <th scope="col">{t('heldColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {sections.map(([section, n]) => (
              <tr data-section={section}>
                <td>{t(`section.${section}`, { defaultValue: section })}</td>
                <td>{n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function PortalPage(props: {
  c: PageContext;
  v: PortalView;
  /** False until the organisation has entered its ORCID credentials: nothing to connect to yet. */
  orcidReady: boolean;
}) {
  const { c, v } = props;
  const { t } = c;
  return (
    <Page c={c} title={v.link ? t('connectedTitle') : t('portalTitle', { org: c.org })}>
      <p class="muted">{t('hello', { name: v.personName })}</p>
      {v.flash ? (
        <p class="flash" role="status">
          {v.flash}
        </p>
      ) : null}
      {v.link ? (
        <>
          <section aria-labelledby="id-heading">
            <h2 id="id-heading">{t('yourOrcidId')}</h2>
            <p>
              <OrcidId registry={c.registry} orcid={v.link.orcid} t={t} />
            </p>
            <p class="muted">{t('connectedOn', { date: v.link.grantedAt.toLocaleDateString(c.lang) })}</p>
          </section>
          {v.summary ? (
            <section aria-labelledby="record-heading">
              {v.summary.name ? (
                <p>
                  {t('nameOnRecord')}: <strong>{v.summary.name}</strong>
                </p>
              ) : null}
              <h2 id="record-heading">{t('employmentsTitle')}</h2>
              {v.summary.employments.length ? (
                <ul>
                  {v.summary.employments.map((e) => (
                    <li>
                      {[e.role, e.department, e.organization].filter(Boolean).join(', ')}
                      {e.startYear ? ` (${e.startYear})` : ''}
                    </li>
                  ))}
                </ul>
              ) : (
                <p class="muted">{t('noEmployments', { org: c.org })}</p>
              )}
            </section>
          ) : (
            <p class="muted">{t('recordNotRead')}</p>
          )}
          <WrittenItems c={c} items={v.items} />
          <HeldFromRecord c={c} syncedAt={v.link.syncedAt} held={v.held} />
          <section aria-labelledby="granted-heading">
            <h2 id="granted-heading">{t('grantedScopes')}</h2>
            <ul>
              {v.link.scopes.map((s) => (
                <li>{t(`scope.${s}`, { defaultValue: s })}</li>
              ))}
            </ul>
          </section>
          {v.link.needsMore ? (
            <section aria-labelledby="upgrade-heading">
              <h2 id="upgrade-heading">{t('upgradeTitle', { org: c.org })}</h2>
              <p>{t('upgradeText', { org: c.org })}</p>
              <Explanation c={c} why={v.why} use={v.use} scopes={v.askedScopes} />
              <ConnectButton c={c} />
            </section>
          ) : null}
          <section aria-labelledby="disconnect-heading">
            <h2 id="disconnect-heading">{t('disconnectTitle')}</h2>
            <p>{t('disconnectText', { org: c.org })}</p>
            <form method="post" action={`${c.base}/disconnect`}>
              <Hidden name="_csrf" value={c.csrf} />
              <button class="btn-secondary" type="submit" id="disconnect-orcid">
                {t('disconnectButton')}
              </button>
            </form>
          </section>
        </>
      ) : (
        <>
          <Explanation c={c} why={v.why} use={v.use} scopes={v.askedScopes} />
          {props.orcidReady ? (
            <>
              <ConnectButton c={c} />
              <p class="muted">{t('connectNote', { org: c.org })}</p>
            </>
          ) : (
            <p class="problem" id="orcid-not-ready">
              {t('orcidNotReady', { org: c.org, contact: c.supportContact })}
            </p>
          )}
          {v.items.length ? <WrittenItems c={c} items={v.items} /> : null}
        </>
      )}
    </Page>
  );
}

export function ConnectProblemPage(props: {
  c: PageContext;
  problem: ConnectProblem;
  params: Record<string, string>;
  why: string | null;
  use: string | null;
  /** The organisation's own words after a denial (its portal texts). */
  deny: string | null;
  scopes: string[];
}) {
  const { c } = props;
  const { t } = c;
  return (
    <Page c={c} title={t('errorTitle')}>
      <p class="problem" role="alert" id="problem" data-problem={props.problem}>
        {t(`problem.${props.problem}`, { org: c.org, ...props.params })}
      </p>
      {props.problem === 'denied' && props.deny ? <p id="org-deny">{props.deny}</p> : null}
      <Explanation c={c} why={props.why} use={props.use} scopes={props.scopes} />
      {c.signedIn ? (
        <form method="post" action={`${c.base}/connect`}>
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn" type="submit">
            {t('tryAgain')}
          </button>
        </form>
      ) : null}
      <p>
        <a href={`${c.base}/`}>{t('backToPortal')}</a>
      </p>
    </Page>
  );
}

/** After a grant from an ORCID inbox request, for a browser where the person is not signed in. */
export function InboxConnectedPage(props: { c: PageContext; orcid: string }) {
  const { c } = props;
  const { t } = c;
  return (
    <Page c={c} title={t('connectedTitle')}>
      <p id="inbox-connected">{t('inboxConnected', { org: c.org })}</p>
      <p>
        <OrcidId registry={c.registry} orcid={props.orcid} t={t} />
      </p>
      <p>
        <a href={`${c.base}/`}>{t('signIn')}</a>
      </p>
    </Page>
  );
}

export function PublicListPage(props: { c: PageContext; people: DisplayedId[] }) {
  const { c } = props;
  const { t } = c;
  return (
    <Page c={c} title={t('publicTitle', { org: c.org })}>
      <p>{t('publicIntro', { org: c.org })}</p>
      {props.people.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('nameColumn')}</th>
              <th scope="col">{t('orcidIdLabel')}</th>
            </tr>
          </thead>
          <tbody>
            {props.people.map((p) => (
              <tr>
                <td>{p.name}</td>
                <td>
                  <OrcidId registry={c.registry} orcid={p.orcid} t={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t('publicNone')}</p>
      )}
    </Page>
  );
}

/** Every page of an organisation the operator suspended: why nothing can be done, and whom to ask. */
export function SuspendedPage(props: { c: PageContext }) {
  const { c } = props;
  return (
    <Page c={{ ...c, signedIn: false }} title={c.t('suspendedTitle')}>
      <p id="suspended" role="alert">
        {c.t('suspendedText', { org: c.org, contact: c.supportContact })}
      </p>
    </Page>
  );
}

/**
 * An administrator's invitation: the button that accepts it (a POST: mail scanners that open the
 * link change nothing), or why the link cannot be used any more.
 */
export function AdminWelcomePage(props: {
  c: PageContext;
  state: 'valid' | 'used' | 'expired' | 'unknown';
  email: string | null;
  action: string;
}) {
  const { c } = props;
  const { t } = c;
  return (
    <Page c={{ ...c, signedIn: false }} title={t('welcome.title', { org: c.org })}>
      {props.state === 'valid' ? (
        <>
          <p>{t('welcome.text', { org: c.org, email: props.email ?? '' })}</p>
          <form method="post" action={props.action}>
            <Hidden name="_csrf" value={c.csrf} />
            <button class="btn" type="submit" id="accept-invitation">
              {t('welcome.accept')}
            </button>
          </form>
        </>
      ) : (
        <p class="problem" role="alert" id="invitation-refused" data-state={props.state}>
          {t(`welcome.${props.state}`, { contact: c.supportContact })}
        </p>
      )}
    </Page>
  );
}
