// Server-rendered registry pages. hono/jsx escapes every interpolated value.
import type { Child } from 'hono/jsx';
import type { Client, Item, Researcher } from '../store/types.js';
import type { Messages } from './i18n.js';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:3px solid #a6ce39;margin-bottom:1.5rem}
label{display:block;margin:.6rem 0 .2rem}input,select,textarea{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;padding:.5rem 1rem;margin:.8rem .5rem 0 0;cursor:pointer}.primary{background:#2e7f18;color:#fff;border:0}
.error{background:#fde8e8;border:1px solid #c00;padding:.6rem}.item{border:1px solid #ccc;padding:.6rem;margin:.6rem 0}
.muted{color:#555;font-size:.9rem}ul.scopes li{margin:.4rem 0}`;

export function Layout(props: {
  title: string;
  lang: string;
  t: Messages;
  orcid?: string | null;
  children: Child;
}) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} | ORCID sandbox</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <p>
            <strong>ORCID</strong> <span class="muted">sandbox simulator</span>
          </p>
          {props.orcid ? (
            <nav>
              <a href="/my-orcid">{props.t.record}</a> · <a href="/inbox">{props.t.inbox}</a> ·{' '}
              <a href="/account">{props.t.account}</a> · <a href="/signout">{props.t.signOut}</a>
            </nav>
          ) : null}
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function Hidden(props: { values: Record<string, string | undefined> }) {
  return (
    <>
      {Object.entries(props.values)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
    </>
  );
}

export function SignInPage(p: {
  t: Messages;
  lang: string;
  login: string;
  error?: string;
  hidden: Record<string, string | undefined>;
  registerHref: string;
}) {
  return (
    <Layout title={p.t.signInTitle} lang={p.lang} t={p.t}>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <form method="post" action="/signin">
        <Hidden values={p.hidden} />
        <label for="username">{p.t.emailOrId}</label>
        <input id="username" name="username" value={p.login} autocomplete="username" required />
        <label for="password">{p.t.password}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button class="primary" type="submit" id="signin-button">
          {p.t.signIn}
        </button>
      </form>
      <p>
        <a href={p.registerHref}>{p.t.register}</a>
      </p>
    </Layout>
  );
}

export function RegisterPage(p: {
  t: Messages;
  lang: string;
  values: Record<string, string>;
  error?: string;
  hidden: Record<string, string | undefined>;
}) {
  return (
    <Layout title={p.t.registerTitle} lang={p.lang} t={p.t}>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      <form method="post" action="/register">
        <Hidden values={p.hidden} />
        <label for="given_names">{p.t.givenNames}</label>
        <input id="given_names" name="given_names" value={p.values.given_names ?? ''} required />
        <label for="family_names">{p.t.familyNames}</label>
        <input id="family_names" name="family_names" value={p.values.family_names ?? ''} />
        <label for="email">{p.t.email}</label>
        <input id="email" name="email" type="email" value={p.values.email ?? ''} required />
        <label for="reg-password">{p.t.password}</label>
        <input id="reg-password" name="password" type="password" autocomplete="new-password" required />
        <button class="primary" type="submit" id="register-button">
          {p.t.register}
        </button>
      </form>
    </Layout>
  );
}

export function ConsentPage(p: {
  t: Messages;
  lang: string;
  client: Client;
  researcher: Researcher;
  scopeTexts: string[];
  hidden: Record<string, string | undefined>;
}) {
  return (
    <Layout title={`${p.client.name} ${p.t.consentTitle}:`} lang={p.lang} t={p.t} orcid={p.researcher.orcid}>
      <p class="muted">{p.client.description}</p>
      <ul class="scopes">
        {p.scopeTexts.map((s) => (
          <li>{s}</li>
        ))}
      </ul>
      <p>
        {p.researcher.givenNames} {p.researcher.familyNames} ({p.researcher.orcid})
      </p>
      <p class="muted">{p.t.consentNote}</p>
      <form method="post" action="/oauth/authorize">
        <Hidden values={p.hidden} />
        <button class="primary" type="submit" name="decision" value="approve" id="authorize-button">
          {p.t.authorize}
        </button>
        <button type="submit" name="decision" value="deny" id="deny-button">
          {p.t.deny}
        </button>
      </form>
    </Layout>
  );
}

export function ErrorPage(p: { t: Messages; lang: string; message: string }) {
  return (
    <Layout title={p.t.errorTitle} lang={p.lang} t={p.t}>
      <p class="error" role="alert">
        {p.message}
      </p>
    </Layout>
  );
}

export function AccountPage(p: {
  t: Messages;
  lang: string;
  researcher: Researcher;
  clients: Client[];
  csrf: string;
}) {
  return (
    <Layout title={p.t.account} lang={p.lang} t={p.t} orcid={p.researcher.orcid}>
      <form method="post" action="/account/preferences">
        <input type="hidden" name="csrf" value={p.csrf} />
        <label>
          <input
            type="checkbox"
            name="member_requests"
            value="yes"
            style="width:auto"
            checked={p.researcher.memberRequests !== false}
          />{' '}
          {p.t.memberRequests}
        </label>
        <button type="submit">{p.t.save}</button>
      </form>
      <h2>{p.t.trusted}</h2>
      {p.clients.length === 0 ? <p>{p.t.noTrusted}</p> : null}
      {p.clients.map((c) => (
        <div class="item">
          <strong>{c.name}</strong> <span class="muted">{c.clientId}</span>
          <form method="post" action="/account/revoke">
            <input type="hidden" name="csrf" value={p.csrf} />
            <input type="hidden" name="client_id" value={c.clientId} />
            <button type="submit" aria-label={`${p.t.revoke}: ${c.name}`}>
              {p.t.revoke}
            </button>
          </form>
        </div>
      ))}
    </Layout>
  );
}

export interface RecordRow {
  item: Item;
  section: string;
  title: string;
  sourceName: string;
  json: string;
  /** Researchers edit their own items; items an organisation wrote can only be hidden or deleted. */
  editable: boolean;
}

export function RecordPage(p: {
  t: Messages;
  lang: string;
  researcher: Researcher;
  rows: RecordRow[];
  csrf: string;
}) {
  const vis = ['public', 'limited', 'private'];
  return (
    <Layout title={p.t.record} lang={p.lang} t={p.t} orcid={p.researcher.orcid}>
      <p>
        {p.researcher.givenNames} {p.researcher.familyNames} · <code>{p.researcher.orcid}</code>
      </p>
      {p.rows.length === 0 ? <p>{p.t.noItems}</p> : null}
      {p.rows.map((r) => (
        <div class="item" data-put-code={String(r.item.putCode)}>
          <strong>{r.title}</strong>{' '}
          <span class="muted">
            ({r.section}, put-code {r.item.putCode})
          </span>
          <p class="muted">
            {p.t.source}: {r.sourceName}
          </p>
          <form method="post" action={`/my-orcid/items/${r.item.putCode}/visibility`}>
            <input type="hidden" name="csrf" value={p.csrf} />
            <label for={`vis-${r.item.putCode}`}>{p.t.visibility}</label>
            <select id={`vis-${r.item.putCode}`} name="visibility">
              {vis.map((v) => (
                <option value={v} selected={v === r.item.visibility}>
                  {v}
                </option>
              ))}
            </select>
            <button type="submit">{p.t.save}</button>
          </form>
          {r.editable ? (
            <details>
              <summary>{p.t.edit}</summary>
              <form method="post" action={`/my-orcid/items/${r.item.putCode}/edit`}>
                <input type="hidden" name="csrf" value={p.csrf} />
                <label for={`json-${r.item.putCode}`}>JSON</label>
                <textarea id={`json-${r.item.putCode}`} name="json" rows={8}>
                  {r.json}
                </textarea>
                <button type="submit">{p.t.save}</button>
              </form>
            </details>
          ) : null}
          <form method="post" action={`/my-orcid/items/${r.item.putCode}/delete`}>
            <input type="hidden" name="csrf" value={p.csrf} />
            <button type="submit" class="delete" aria-label={`${p.t.delete}: ${r.title}`}>
              {p.t.delete}
            </button>
          </form>
        </div>
      ))}
    </Layout>
  );
}

/** A permission request as the inbox shows it. */
export interface InboxEntry {
  putCode: number;
  from: string;
  subject: string;
  intro: string;
  items: { type: string; name: string }[];
  createdAt: number;
  read: boolean;
  archived: boolean;
}

export function InboxPage(p: { t: Messages; lang: string; researcher: Researcher; entries: InboxEntry[] }) {
  return (
    <Layout title={p.t.inbox} lang={p.lang} t={p.t} orcid={p.researcher.orcid}>
      {p.entries.length === 0 ? <p>{p.t.inboxEmpty}</p> : null}
      <ul>
        {p.entries.map((e) => (
          <li data-put-code={String(e.putCode)}>
            <a href={`/inbox/${e.putCode}`}>{e.subject}</a>{' '}
            <span class="muted">
              {p.t.inboxFrom} {e.from} · {new Date(e.createdAt).toISOString().slice(0, 10)}
              {e.read ? '' : ` · ${p.t.unread}`}
              {e.archived ? ` · ${p.t.archived}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function InboxNotificationPage(p: {
  t: Messages;
  lang: string;
  researcher: Researcher;
  entry: InboxEntry;
  csrf: string;
}) {
  const e = p.entry;
  return (
    <Layout title={e.subject} lang={p.lang} t={p.t} orcid={p.researcher.orcid}>
      <p class="muted">
        {p.t.inboxFrom} {e.from} · {new Date(e.createdAt).toISOString().slice(0, 10)}
      </p>
      <p>{e.intro}</p>
      <p>
        <strong>{e.from}</strong> {p.t.inboxWantsToAdd}
      </p>
      <ul>
        {e.items.map((i) => (
          <li>
            {i.name} <span class="muted">({i.type})</span>
          </li>
        ))}
      </ul>
      <form method="post" action={`/inbox/${e.putCode}/grant`}>
        <input type="hidden" name="csrf" value={p.csrf} />
        <button type="submit" class="primary">
          {p.t.grant}
        </button>
      </form>
      {e.archived ? null : (
        <form method="post" action={`/inbox/${e.putCode}/archive`}>
          <input type="hidden" name="csrf" value={p.csrf} />
          <button type="submit">{p.t.archive}</button>
        </form>
      )}
    </Layout>
  );
}

export function PublicRecordPage(p: {
  t: Messages;
  uri: string;
  researcher: Researcher;
  rows: Array<{ section: string; title: string }>;
}) {
  const name = `${p.researcher.givenNames} ${p.researcher.familyNames}`.trim();
  return (
    <Layout title={name} lang="en" t={p.t}>
      <p>
        <a href={p.uri}>{p.uri}</a>
      </p>
      {p.rows.length === 0 ? <p>{p.t.noItems}</p> : null}
      <ul>
        {p.rows.map((r) => (
          <li>
            {r.title} <span class="muted">({r.section})</span>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
