// The console's ORCID call log: the filter form, a page of calls (chosen ones can be shared),
// one call with its request and answer, the shared link made, and the read-only shared view
// ORCID support opens without an account.
import type { CallRow, CallWithBodies } from '../../domain/call-log-query.js';
import { CALL_METHODS } from '../../domain/call-log-query.js';
import { pageKeyParam } from '../console-input.js';
import type { T } from '../i18n.js';
import { AdminPage, Flash } from './admin.js';
import { Hidden } from './layout.js';
import type { PageContext } from './portal.js';

export interface CallFilterFields {
  person?: string | undefined;
  orcid?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
  status?: string | undefined;
  code?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const FIELDS = ['person', 'orcid', 'method', 'path', 'status', 'code', 'from', 'to'] as const;

const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 23);

/** The filter as a query string (with `over` added). */
export function callQueryString(f: CallFilterFields, over: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const k of FIELDS) if (f[k]) params.set(k, f[k]!);
  for (const [k, v] of Object.entries(over)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

function Field(props: {
  id: string;
  label: string;
  value: string | undefined;
  type?: string;
  hint?: string;
}) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input id={props.id} name={props.id} type={props.type ?? 'text'} value={props.value ?? ''} />
    </div>
  );
}

function CallTable(props: { t: T; calls: CallRow[]; link?: (c: CallRow) => string; choose?: boolean }) {
  const { t } = props;
  return (
    <div class="scroll" tabindex={0}>
      <table id="calls">
        <thead>
          <tr>
            {props.choose ? <th scope="col">{t('console.calls.choose')}</th> : null}
            <th scope="col">{t('console.person.when')}</th>
            <th scope="col">{t('console.people.orcid')}</th>
            <th scope="col">{t('console.call.method')}</th>
            <th scope="col">{t('console.call.path')}</th>
            <th scope="col">{t('console.call.status')}</th>
            <th scope="col">{t('console.calls.errorCode')}</th>
            <th scope="col">{t('console.call.duration')}</th>
          </tr>
        </thead>
        <tbody>
          {props.calls.map((k) => (
            <tr data-call={k.id}>
              {props.choose ? (
                <td>
                  <input
                    type="checkbox"
                    name="call"
                    value={k.id}
                    id={`call-${k.id}`}
                    aria-label={t('console.calls.chooseOne', { id: k.id })}
                  />
                </td>
              ) : null}
              <td>{props.link ? <a href={props.link(k)}>{when(k.created_at)}</a> : when(k.created_at)}</td>
              <td>{k.orcid ?? ''}</td>
              <td>{k.method}</td>
              <td>{new URL(k.url).pathname}</td>
              <td>{k.status ?? k.error ?? t('console.calls.noAnswer')}</td>
              <td>{k.error_code ?? ''}</td>
              <td>{k.duration_ms} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CallLogPage(props: {
  c: PageContext;
  fields: CallFilterFields;
  page: { rows: CallRow[]; next: { at: string; id: string } | null };
  shares: Array<{
    id: string;
    call_ids: string[];
    note: string | null;
    created_by: string;
    created_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
  }>;
  flash: string | null;
}) {
  const { c, fields, page } = props;
  const { t } = c;
  const url = `${c.base}/admin/calls`;
  const qs = callQueryString(fields);
  return (
    <AdminPage c={c} title={t('console.calls.title')}>
      <Flash text={props.flash} />
      <p>{t('console.calls.intro')}</p>
      <search>
        <form method="get" action={url} class="filters">
          <Field id="person" label={t('console.calls.person')} value={fields.person} />
          <Field id="orcid" label={t('console.people.orcid')} value={fields.orcid} />
          <div>
            <label for="method">{t('console.call.method')}</label>
            <select id="method" name="method">
              <option value="">{t('console.people.any')}</option>
              {CALL_METHODS.map((m) => (
                <option value={m} selected={fields.method === m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <Field id="path" label={t('console.calls.path')} value={fields.path} />
          <Field id="status" label={t('console.calls.status')} value={fields.status} />
          <Field id="code" label={t('console.calls.errorCode')} value={fields.code} />
          <Field id="from" label={t('console.calls.from')} value={fields.from} type="date" />
          <Field id="to" label={t('console.calls.to')} value={fields.to} type="date" />
          <div>
            <button class="btn" type="submit">
              {t('console.people.apply')}
            </button>
          </div>
        </form>
      </search>
      <p>
        <a href={`${url}/export.csv${qs}`} id="export-csv" download>
          {t('console.calls.exportCsv')}
        </a>{' '}
        ·{' '}
        <a href={`${url}/export.json${qs}`} id="export-json" download>
          {t('console.calls.exportJson')}
        </a>
      </p>
      {page.rows.length ? (
        <form method="post" action={`${url}/share`}>
          <Hidden name="_csrf" value={c.csrf} />
          {FIELDS.map((k) => (fields[k] ? <Hidden name={k} value={fields[k]!} /> : null))}
          <CallTable t={t} calls={page.rows} link={(k) => `${url}/${k.id}`} choose />
          <fieldset>
            <legend>{t('console.calls.shareTitle')}</legend>
            <p>{t('console.calls.shareText')}</p>
            <label for="days">{t('console.calls.shareDays')}</label>
            <select id="days" name="days">
              <option value="1">1</option>
              <option value="7" selected>
                7
              </option>
              <option value="30">30</option>
            </select>
            <label for="note">{t('console.calls.shareNote')}</label>
            <input id="note" name="note" type="text" maxlength={500} />
            <button class="btn-secondary" type="submit" id="share">
              {t('console.calls.share')}
            </button>
          </fieldset>
        </form>
      ) : (
        <p id="no-calls">{t('console.calls.none')}</p>
      )}
      <nav aria-label={t('console.pages')} class="console-nav">
        {page.next ? (
          <a rel="next" href={`${url}${callQueryString(fields, { after: pageKeyParam(page.next) })}`}>
            {t('console.calls.older')}
          </a>
        ) : null}
      </nav>
      <section aria-labelledby="shares">
        <h2 id="shares">{t('console.calls.sharesTitle')}</h2>
        {props.shares.length ? (
          <table id="share-list">
            <thead>
              <tr>
                <th scope="col">{t('console.calls.sharedOn')}</th>
                <th scope="col">{t('console.calls.sharedCalls')}</th>
                <th scope="col">{t('console.calls.shareNote')}</th>
                <th scope="col">{t('console.calls.sharedState')}</th>
                <th scope="col">{t('console.person.action')}</th>
              </tr>
            </thead>
            <tbody>
              {props.shares.map((s) => {
                const live = !s.revoked_at && s.expires_at > new Date();
                return (
                  <tr data-share={s.id}>
                    <td>
                      {when(s.created_at)} ({s.created_by})
                    </td>
                    <td>{s.call_ids.length}</td>
                    <td>{s.note ?? ''}</td>
                    <td>
                      {s.revoked_at
                        ? t('console.calls.revoked')
                        : live
                          ? t('console.calls.until', { when: when(s.expires_at) })
                          : t('console.calls.expired')}
                    </td>
                    <td>
                      {live ? (
                        <form method="post" action={`${url}/shares/${s.id}/revoke`}>
                          <Hidden name="_csrf" value={c.csrf} />
                          <button class="btn-secondary" type="submit" id={`revoke-${s.id}`}>
                            {t('console.calls.revoke')}
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p>{t('console.calls.noShares')}</p>
        )}
      </section>
    </AdminPage>
  );
}

function CallBodies(props: { t: T; call: CallWithBodies }) {
  const { t, call } = props;
  return (
    <>
      <h2>{t('console.calls.request')}</h2>
      <p>
        <code>
          {call.method} {call.url}
        </code>
      </p>
      <pre class="body">{call.request_body ?? t('console.calls.noBody')}</pre>
      <h2>{t('console.calls.answer')}</h2>
      <p>
        {call.status ?? t('console.calls.noAnswer')}
        {call.error ? ` · ${call.error}` : ''} · {call.duration_ms} ms ·{' '}
        {t('console.calls.attempt', { n: String(call.attempt) })}
      </p>
      <pre class="body">{call.response_body ?? t('console.calls.noBody')}</pre>
    </>
  );
}

export function CallPage(props: { c: PageContext; call: CallWithBodies }) {
  const { c, call } = props;
  const { t } = c;
  return (
    <AdminPage c={c} title={t('console.calls.one', { id: call.id })}>
      <p>
        {when(call.created_at)} UTC{call.orcid ? ` · ${call.orcid}` : ''}
      </p>
      <p class="muted">{t('console.calls.redacted')}</p>
      <CallBodies t={t} call={call} />
      <p>
        <a href={`${c.base}/admin/calls`}>{t('console.calls.back')}</a>
      </p>
    </AdminPage>
  );
}

export function SharedLinkPage(props: { c: PageContext; url: string; calls: number; expiresAt: Date }) {
  const { c } = props;
  const { t } = c;
  return (
    <AdminPage c={c} title={t('console.calls.sharedTitle')}>
      <p>{t('console.calls.sharedText', { n: String(props.calls), when: when(props.expiresAt) })}</p>
      <p>
        <label for="shared-url">{t('console.calls.sharedUrl')}</label>
        <input id="shared-url" type="text" readonly value={props.url} size={80} />
      </p>
      <p>{t('console.calls.sharedOnce')}</p>
      <p>
        <a href={`${c.base}/admin/calls`}>{t('console.calls.back')}</a>
      </p>
    </AdminPage>
  );
}

/** What ORCID support sees: the organisation's chosen calls, read-only, until the link ends. */
export function SharedCallsPage(props: {
  org: string;
  note: string | null;
  expiresAt: Date;
  calls: CallWithBodies[];
  t: T;
}) {
  const { t } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${t('console.calls.sharedViewTitle', { org: props.org })}`}</title>
      </head>
      <body style="font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem">
        <main>
          <h1>{t('console.calls.sharedViewTitle', { org: props.org })}</h1>
          <p>
            {t('console.calls.sharedViewText', {
              n: String(props.calls.length),
              when: when(props.expiresAt),
            })}
          </p>
          {props.note ? <p id="note">{props.note}</p> : null}
          {props.calls.map((call) => (
            <article style="border-top:1px solid #ccc" data-call={call.id}>
              <h2 style="font-size:1.05rem">
                {when(call.created_at)} UTC · {call.orcid ?? ''}
              </h2>
              <CallBodies t={t} call={call} />
            </article>
          ))}
        </main>
      </body>
    </html>
  );
}
