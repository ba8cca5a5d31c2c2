// The console's invitations: the reminder policy form, the list with each invitation's state,
// and a resend button for those not connected.
import { INVITATION_STATES, type InvitationState } from '../../domain/invitation-state.js';
import {
  INVITATION_PLACEHOLDERS,
  type InvitationTemplate,
  TEMPLATE_LANGUAGES,
  type TemplateLanguage,
} from '../../domain/invitation-template.js';
import type { InvitationsConsoleService } from '../../services/invitations-console.service.js';
import { pageKeyParam } from '../console-input.js';
import { LANGUAGE_NAMES } from '../i18n.js';
import { AdminPage, Flash } from './admin.js';
import { Hidden } from './layout.js';
import type { PageContext } from './portal.js';

type Page = Awaited<ReturnType<InvitationsConsoleService['list']>>;

const when = (d: Date | null) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 16) : '');

type InboxRequestRow = Awaited<ReturnType<InvitationsConsoleService['inboxRequests']>>[number];

export function InvitationsPage(props: {
  c: PageContext;
  state: InvitationState | undefined;
  page: Page;
  policy: { reminders: number; everyDays: number; language: TemplateLanguage; orcidInbox: boolean };
  /** The latest requests through people's ORCID inboxes. */
  inboxRequests: InboxRequestRow[];
  template: { language: TemplateLanguage; saved: InvitationTemplate | null };
  flash: string | null;
}) {
  const { c, page } = props;
  const { t } = c;
  const url = `${c.base}/admin/invitations`;
  const next = page.next ? pageKeyParam(page.next) : null;
  return (
    <AdminPage c={c} title={t('console.invitations.title')}>
      <Flash text={props.flash} />
      <section aria-labelledby="reminders">
        <h2 id="reminders">{t('console.invitations.reminders')}</h2>
        <p>{t('console.invitations.remindersText')}</p>
        <form method="post" action={`${url}/settings`} class="filters">
          <Hidden name="_csrf" value={c.csrf} />
          <div>
            <label for="reminders-count">{t('console.invitations.count')}</label>
            <input
              id="reminders-count"
              name="reminders"
              type="number"
              min="0"
              max="10"
              value={String(props.policy.reminders)}
              required
            />
          </div>
          <div>
            <label for="reminders-days">{t('console.invitations.everyDays')}</label>
            <input
              id="reminders-days"
              name="everyDays"
              type="number"
              min="1"
              max="365"
              value={String(props.policy.everyDays)}
              required
            />
          </div>
          <div>
            <label for="invitation-language">{t('console.invitations.language')}</label>
            <select id="invitation-language" name="language">
              {TEMPLATE_LANGUAGES.map((l) => (
                <option value={l} selected={props.policy.language === l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          </div>
          <div class="check">
            <input
              id="orcid-inbox"
              name="orcidInbox"
              type="checkbox"
              value="yes"
              checked={props.policy.orcidInbox}
            />{' '}
            <label for="orcid-inbox">{t('console.invitations.orcidInbox')}</label>
          </div>
          <div>
            <button class="btn" type="submit" id="save-reminders">
              {t('console.invitations.save')}
            </button>
          </div>
        </form>
      </section>
      {props.inboxRequests.length ? (
        <section aria-labelledby="inbox-requests-heading">
          <h2 id="inbox-requests-heading">{t('console.invitations.inboxRequests')}</h2>
          <div class="scroll" tabindex={0}>
            <table id="inbox-requests">
              <thead>
                <tr>
                  <th scope="col">{t('console.people.localId')}</th>
                  <th scope="col">{t('console.people.orcid')}</th>
                  <th scope="col">{t('console.person.when')}</th>
                  <th scope="col">{t('console.call.status')}</th>
                </tr>
              </thead>
              <tbody>
                {props.inboxRequests.map((r) => (
                  <tr>
                    <td>
                      <a href={`${c.base}/admin/people/${r.person_id}`}>{r.local_id}</a>
                    </td>
                    <td>{r.orcid}</td>
                    <td>{new Date(r.created_at).toISOString().slice(0, 16).replace('T', ' ')}</td>
                    <td>
                      {t(
                        `console.invitations.inboxState.${r.connected ? 'connected' : r.sent_at ? 'sent' : 'failed'}`,
                      )}
                      {!r.connected && r.last_error ? `: ${r.last_error}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <section aria-labelledby="message">
        <h2 id="message">{t('console.invitations.message')}</h2>
        <p>
          {t('console.invitations.messageText', {
            placeholders: INVITATION_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', '),
          })}
        </p>
        <nav aria-label={t('console.invitations.language')} class="console-nav">
          {TEMPLATE_LANGUAGES.map((l) =>
            l === props.template.language ? (
              <strong>{LANGUAGE_NAMES[l]}</strong>
            ) : (
              <a href={`${url}?template=${l}`}>{LANGUAGE_NAMES[l]}</a>
            ),
          )}
        </nav>
        <form method="post" action={`${url}/template`}>
          <Hidden name="_csrf" value={c.csrf} />
          <Hidden name="language" value={props.template.language} />
          <p>
            <label for="template-subject">{t('console.invitations.subject')}</label>
            <br />
            <input
              id="template-subject"
              name="subject"
              type="text"
              size={70}
              value={props.template.saved?.subject ?? ''}
            />
          </p>
          <p>
            <label for="template-body">{t('console.invitations.body')}</label>
            <br />
            <textarea id="template-body" name="body" rows={10} cols={70}>
              {props.template.saved?.body ?? ''}
            </textarea>
          </p>
          <p class="muted">{props.template.saved ? '' : t('console.invitations.builtIn')}</p>
          <button class="btn" type="submit" id="save-template">
            {t('console.invitations.saveTemplate')}
          </button>{' '}
          {props.template.saved ? (
            <button
              class="btn-secondary"
              type="submit"
              name="reset"
              value="yes"
              id="reset-template"
              formnovalidate
            >
              {t('console.invitations.resetTemplate')}
            </button>
          ) : null}
        </form>
        <form method="post" action={`${url}/test`}>
          <Hidden name="_csrf" value={c.csrf} />
          <button class="btn-secondary" type="submit" id="test-invitation">
            {t('console.invitations.test')}
          </button>
        </form>
      </section>
      <search>
        <form method="get" action={url} class="filters">
          <div>
            <label for="state">{t('console.invitations.state')}</label>
            <select id="state" name="state">
              <option value="">{t('console.people.any')}</option>
              {INVITATION_STATES.map((s) => (
                <option value={s} selected={props.state === s}>
                  {t(`console.invitations.state.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <button class="btn" type="submit">
              {t('console.people.apply')}
            </button>
          </div>
        </form>
      </search>
      {page.rows.length ? (
        <div class="scroll" tabindex={0}>
          <table id="invitations">
            <thead>
              <tr>
                <th scope="col">{t('console.people.name')}</th>
                <th scope="col">{t('console.people.email')}</th>
                <th scope="col">{t('console.invitations.kind')}</th>
                <th scope="col">{t('console.invitations.state')}</th>
                <th scope="col">{t('console.invitations.sent')}</th>
                <th scope="col">{t('console.invitations.remindersSent')}</th>
                <th scope="col">{t('console.person.action')}</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((v) => (
                <tr data-invitation={v.id} data-state={v.state}>
                  <td>
                    <a href={`${c.base}/admin/people/${v.person_id}`}>
                      {[v.given_names, v.family_name].filter(Boolean).join(' ') || v.local_id}
                    </a>
                  </td>
                  <td>{v.email}</td>
                  <td>{t(`console.invitation.${v.kind}`)}</td>
                  <td>
                    {t(`console.invitations.state.${v.state}`)}
                    {v.state === 'failed' && v.last_error ? (
                      <span class="muted"> ({v.last_error})</span>
                    ) : null}
                  </td>
                  <td>{when(v.sent_at)}</td>
                  <td>{v.reminders_sent}</td>
                  <td>
                    {v.state === 'connected' ? null : (
                      <form method="post" action={`${c.base}/admin/people/${v.person_id}/invite`}>
                        <Hidden name="_csrf" value={c.csrf} />
                        <button class="btn-secondary" type="submit" id={`resend-${v.id}`}>
                          {t('console.person.resend')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p id="no-invitations">{t('console.invitations.none')}</p>
      )}
      {next ? (
        <nav aria-label={t('console.pages')} class="console-nav">
          <a
            rel="next"
            href={`${url}?${new URLSearchParams({ ...(props.state ? { state: props.state } : {}), after: next })}`}
          >
            {t('console.invitations.older')}
          </a>
        </nav>
      ) : null}
    </AdminPage>
  );
}
