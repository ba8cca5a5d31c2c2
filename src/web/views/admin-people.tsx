// The console's people: the searchable list and one person's page, with the actions an
// administrator takes for a person (each a POST form with the CSRF token).

import { ITEM_STATUSES, type ItemStatus } from '../../domain/item.js';
import type { PeoplePage as PeoplePageData, PeopleQuery } from '../../domain/people-query.js';
import { LINK_FILTERS, PEOPLE_SORTS } from '../../domain/people-query.js';
import type { PeopleConsoleService } from '../../services/people-console.service.js';
import { AdminPage, Flash } from './admin.js';
import { Hidden, OrcidId } from './layout.js';
import type { PageContext } from './portal.js';

type PersonDetail = NonNullable<Awaited<ReturnType<PeopleConsoleService['person']>>>;

const nameOf = (p: { given_names: string | null; family_name: string | null; local_id: string }) =>
  [p.given_names, p.family_name].filter(Boolean).join(' ') || p.local_id;

const when = (d: Date | string | null, lang: string) =>
  d ? new Date(d).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) : '';

/** The list's query string, with `over` changed (page keys dropped unless given). */
export function peopleQueryString(q: PeopleQuery, over: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  const put = (k: string, v: string | undefined) => {
    if (v) params.set(k, v);
  };
  put('q', q.text);
  put('link', q.link);
  put('item', q.item);
  put('invited', q.invited === undefined ? undefined : q.invited ? 'yes' : 'no');
  if (q.sort !== 'name') put('sort', q.sort);
  if (q.descending) put('order', 'desc');
  for (const [k, v] of Object.entries(over)) if (v === undefined) params.delete(k);
  for (const [k, v] of Object.entries(over)) put(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const pageKeyParam = (k: { key: string; id: string }) =>
  Buffer.from(JSON.stringify([k.key, k.id])).toString('base64url');

function Select(props: {
  id: string;
  label: string;
  value: string | undefined;
  options: Array<[string, string]>;
}) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        {props.options.map(([value, text]) => (
          <option value={value} selected={value === (props.value ?? '')}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function PeopleListPage(props: {
  c: PageContext;
  query: PeopleQuery;
  page: PeoplePageData;
  total: number;
  flash: string | null;
}) {
  const { c, query, page } = props;
  const { t } = c;
  const any: [string, string] = ['', t('console.people.any')];
  const url = `${c.base}/admin/people`;
  return (
    <AdminPage c={c} title={t('console.people.title')}>
      <Flash text={props.flash} />
      <p>{t('console.people.count', { n: props.total.toLocaleString(c.lang) })}</p>
      <search>
        <form method="get" action={url} class="filters">
          <div>
            <label for="q">{t('console.people.search')}</label>
            <input id="q" name="q" type="search" value={query.text ?? ''} />
          </div>
          <Select
            id="link"
            label={t('console.people.linkFilter')}
            value={query.link}
            options={[any, ...LINK_FILTERS.map((l): [string, string] => [l, t(`console.link.${l}`)])]}
          />
          <Select
            id="item"
            label={t('console.people.itemFilter')}
            value={query.item}
            options={[any, ...ITEM_STATUSES.map((s): [string, string] => [s, t(`console.status.${s}`)])]}
          />
          <Select
            id="invited"
            label={t('console.people.invitedFilter')}
            value={query.invited === undefined ? undefined : query.invited ? 'yes' : 'no'}
            options={[any, ['yes', t('console.yes')], ['no', t('console.no')]]}
          />
          <Select
            id="sort"
            label={t('console.people.sort')}
            value={query.sort}
            options={PEOPLE_SORTS.map((s): [string, string] => [s, t(`console.sort.${s}`)])}
          />
          <Select
            id="order"
            label={t('console.people.order')}
            value={query.descending ? 'desc' : 'asc'}
            options={[
              ['asc', t('console.order.asc')],
              ['desc', t('console.order.desc')],
            ]}
          />
          <div>
            <button class="btn" type="submit">
              {t('console.people.apply')}
            </button>
          </div>
        </form>
      </search>
      {page.rows.length ? (
        <div class="scroll" tabindex={0}>
          <table id="people">
            <caption>{t('console.people.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.people.name')}</th>
                <th scope="col">{t('console.people.localId')}</th>
                <th scope="col">{t('console.people.email')}</th>
                <th scope="col">{t('console.people.orcid')}</th>
                <th scope="col">{t('console.people.link')}</th>
                <th scope="col">{t('console.people.items')}</th>
                <th scope="col">{t('console.people.invited')}</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((p) => (
                <tr>
                  <td>
                    <a href={`${url}/${p.id}`}>{nameOf(p)}</a>
                  </td>
                  <td>{p.local_id}</td>
                  <td>{p.email ?? ''}</td>
                  <td>{p.orcid ?? ''}</td>
                  <td>{t(`console.link.${p.link_status ?? 'never'}`)}</td>
                  <td>
                    {p.items}
                    {p.needs_attention
                      ? ` (${t('console.people.attention', { n: String(p.needs_attention) })})`
                      : ''}
                  </td>
                  <td>{p.invited ? t('console.yes') : t('console.no')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p id="no-people">{t('console.people.none')}</p>
      )}
      <nav aria-label={t('console.pages')} class="console-nav">
        {page.previous ? (
          <a
            rel="prev"
            href={`${url}${peopleQueryString(query, { before: pageKeyParam(page.previous), after: undefined })}`}
          >
            {t('console.previous')}
          </a>
        ) : null}
        {page.next ? (
          <a
            rel="next"
            href={`${url}${peopleQueryString(query, { after: pageKeyParam(page.next), before: undefined })}`}
          >
            {t('console.next')}
          </a>
        ) : null}
      </nav>
    </AdminPage>
  );
}

function ActionForm(props: {
  c: PageContext;
  action: string;
  id: string;
  label: string;
  children?: unknown;
}) {
  return (
    <form method="post" action={props.action}>
      <Hidden name="_csrf" value={props.c.csrf} />
      {props.children as never}
      <button class="btn-secondary" type="submit" id={props.id}>
        {props.label}
      </button>
    </form>
  );
}

const RETRYABLE: readonly ItemStatus[] = ['failed', 'invalid', 'record_unavailable'];

export function PersonPage(props: {
  c: PageContext;
  detail: PersonDetail;
  /** The iD a request through the ORCID inbox would go to, or null if none may be sent. */
  inboxAskable: string | null;
  flash: string | null;
  problem: string | null;
}) {
  const { c, detail } = props;
  const { t } = c;
  const { person, links, items, events, invitations, calls, record, inboxRequests } = detail;
  const url = `${c.base}/admin/people/${person.id}`;
  const active = links.find((l) => l.status === 'active');
  return (
    <AdminPage c={c} title={nameOf(person)}>
      <Flash text={props.flash} />
      <Flash text={props.problem} problem />
      <dl>
        <dt>{t('console.people.localId')}</dt>
        <dd>{person.local_id}</dd>
        <dt>{t('console.people.email')}</dt>
        <dd>{person.email ?? t('console.person.noEmail')}</dd>
        <dt>{t('console.person.added')}</dt>
        <dd>{when(person.created_at, c.lang)}</dd>
      </dl>

      <section aria-labelledby="connection">
        <h2 id="connection">{t('console.person.connection')}</h2>
        {links.length ? (
          <div class="scroll" tabindex={0}>
            <table id="links">
              <thead>
                <tr>
                  <th scope="col">{t('console.people.orcid')}</th>
                  <th scope="col">{t('console.people.link')}</th>
                  <th scope="col">{t('console.person.scopes')}</th>
                  <th scope="col">{t('console.person.granted')}</th>
                  <th scope="col">{t('console.person.expires')}</th>
                  <th scope="col">{t('console.person.synced')}</th>
                </tr>
              </thead>
              <tbody>
                {links.map((l) => (
                  <tr data-link-status={l.status}>
                    <td>
                      <OrcidId registry={c.registry} orcid={l.orcid} t={t} />
                    </td>
                    <td>
                      {t(`console.link.${l.status}`)}
                      {l.revoked_by ? ` (${t(`console.revokedBy.${l.revoked_by}`)})` : ''}
                    </td>
                    <td>
                      <ul>
                        {l.scope
                          .split(/\s+/)
                          .filter(Boolean)
                          .map((s) => (
                            <li>{t(`scope.${s}`, { defaultValue: s })}</li>
                          ))}
                      </ul>
                    </td>
                    <td>{when(l.granted_at, c.lang)}</td>
                    <td>{when(l.expires_at, c.lang)}</td>
                    <td>{l.synced_at ? when(l.synced_at, c.lang) : t('console.person.neverSynced')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('console.person.neverConnected')}</p>
        )}
        {active ? (
          <ActionForm
            c={c}
            action={`${url}/disconnect`}
            id="disconnect"
            label={t('console.person.disconnect')}
          />
        ) : null}
      </section>

      <section aria-labelledby="record">
        <h2 id="record">{t('console.person.record')}</h2>
        {record.length ? (
          <div class="scroll" tabindex={0}>
            <table id="record-items">
              <thead>
                <tr>
                  <th scope="col">{t('console.person.section')}</th>
                  <th scope="col">{t('console.person.what')}</th>
                  <th scope="col">{t('console.person.source')}</th>
                  <th scope="col">{t('console.person.putCode')}</th>
                </tr>
              </thead>
              <tbody>
                {record.map((r) => (
                  <tr>
                    <td>{r.section}</td>
                    <td>{[r.title, r.role, r.organisation, r.value].filter(Boolean).join(', ')}</td>
                    <td>{r.own ? t('console.person.ours') : (r.source_name ?? '')}</td>
                    <td>{r.put_code ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('console.person.noRecord')}</p>
        )}
      </section>

      <section aria-labelledby="items">
        <h2 id="items">{t('console.person.items')}</h2>
        {items.length ? (
          <div class="scroll" tabindex={0}>
            <table id="person-items">
              <thead>
                <tr>
                  <th scope="col">{t('console.person.section')}</th>
                  <th scope="col">{t('console.person.sourceKey')}</th>
                  <th scope="col">{t('console.person.status')}</th>
                  <th scope="col">{t('console.person.putCode')}</th>
                  <th scope="col">{t('console.person.groupId')}</th>
                  <th scope="col">{t('console.person.action')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr data-item={i.source_key} data-status={i.status}>
                    <td>{i.section}</td>
                    <td>{i.source_key}</td>
                    <td>
                      {t(`console.status.${i.status}`)}
                      {i.status_detail ? <span class="muted"> ({i.status_detail})</span> : null}
                    </td>
                    <td>{i.put_code ?? ''}</td>
                    <td>{i.group_id ?? ''}</td>
                    <td>
                      {RETRYABLE.includes(i.status) ? (
                        <ActionForm
                          c={c}
                          action={`${url}/items/${i.id}/retry`}
                          id={`retry-${i.id}`}
                          label={t('console.person.retry')}
                        />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('console.person.noItems')}</p>
        )}
        {events.length ? (
          <details>
            <summary>{t('console.person.history', { n: String(events.length) })}</summary>
            <div class="scroll" tabindex={0}>
              <table id="item-history">
                <thead>
                  <tr>
                    <th scope="col">{t('console.person.when')}</th>
                    <th scope="col">{t('console.person.sourceKey')}</th>
                    <th scope="col">{t('console.person.action')}</th>
                    <th scope="col">{t('console.person.status')}</th>
                    <th scope="col">{t('console.person.answer')}</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr>
                      <td>{when(e.created_at, c.lang)}</td>
                      <td>{e.source_key}</td>
                      <td>{e.action}</td>
                      <td>{t(`console.status.${e.status}`, { defaultValue: e.status })}</td>
                      <td>
                        {[e.http_status, e.error_code, e.message]
                          .filter((x) => x !== null && x !== '')
                          .join(' · ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        ) : null}
      </section>

      <section aria-labelledby="invitations">
        <h2 id="invitations">{t('console.person.invitations')}</h2>
        {invitations.length ? (
          <ul id="invitation-list">
            {invitations.map((v) => (
              <li>
                {t(`console.invitation.${v.kind}`)}: {v.email} —{' '}
                {v.sent_at
                  ? t('console.invitation.sent', { when: when(v.sent_at, c.lang) })
                  : v.last_error
                    ? t('console.invitation.failed', { error: v.last_error })
                    : t('console.invitation.waiting')}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('console.person.noInvitations')}</p>
        )}
        {active ? null : (
          <ActionForm
            c={c}
            action={`${url}/invite`}
            id="resend-invitation"
            label={t('console.person.resend')}
          />
        )}
      </section>

      {inboxRequests.length || props.inboxAskable ? (
        <section aria-labelledby="orcid-inbox">
          <h2 id="orcid-inbox">{t('console.person.inbox')}</h2>
          {inboxRequests.length ? (
            <ul id="inbox-requests">
              {inboxRequests.map((r) => (
                <li>
                  <OrcidId registry={c.registry} orcid={r.orcid} t={t} /> —{' '}
                  {r.sent_at
                    ? t('console.inbox.sent', { when: when(r.sent_at, c.lang), putCode: String(r.put_code) })
                    : r.last_error
                      ? t('console.inbox.failed', { error: r.last_error })
                      : t('console.invitation.waiting')}
                </li>
              ))}
            </ul>
          ) : null}
          {props.inboxAskable ? (
            <>
              <p>{t('console.person.inboxText', { orcid: props.inboxAskable })}</p>
              <ActionForm
                c={c}
                action={`${url}/inbox-request`}
                id="inbox-request"
                label={t('console.person.inboxAsk')}
              />
            </>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="calls">
        <h2 id="calls">{t('console.person.calls')}</h2>
        {calls.length ? (
          <div class="scroll" tabindex={0}>
            <table id="person-calls">
              <thead>
                <tr>
                  <th scope="col">{t('console.person.when')}</th>
                  <th scope="col">{t('console.call.method')}</th>
                  <th scope="col">{t('console.call.path')}</th>
                  <th scope="col">{t('console.call.status')}</th>
                  <th scope="col">{t('console.call.duration')}</th>
                </tr>
              </thead>
              <tbody>
                {calls.map((k) => (
                  <tr>
                    <td>{when(k.created_at, c.lang)}</td>
                    <td>{k.method}</td>
                    <td>{new URL(k.url).pathname}</td>
                    <td>{k.status ?? k.error ?? ''}</td>
                    <td>{k.duration_ms} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('console.person.noCalls')}</p>
        )}
      </section>

      <section aria-labelledby="delete">
        <h2 id="delete">{t('console.person.deleteTitle')}</h2>
        <p>{t('console.person.deleteText')}</p>
        <ActionForm c={c} action={`${url}/delete`} id="delete-person" label={t('console.person.delete')}>
          <p>
            <input type="checkbox" id="confirm-delete" name="confirm" value="yes" required />{' '}
            <label for="confirm-delete">{t('console.person.deleteConfirm', { name: nameOf(person) })}</label>
          </p>
        </ActionForm>
      </section>
    </AdminPage>
  );
}
