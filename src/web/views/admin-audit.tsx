// The console's audit log: who did what and when, filtered, with its exports.
import { AdminPage } from './admin.js';
import type { PageContext } from './portal.js';

interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

interface AuditFields {
  action?: string | undefined;
  actor?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function queryString(f: AuditFields, over: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const k of ['action', 'actor', 'from', 'to'] as const) if (f[k]) params.set(k, f[k]!);
  for (const [k, v] of Object.entries(over)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function AuditLogPage(props: {
  c: PageContext;
  fields: AuditFields;
  page: { rows: AuditEntry[]; next: string | null };
  actions: string[];
}) {
  const { c, fields, page } = props;
  const { t } = c;
  const url = `${c.base}/admin/audit`;
  const kinds = [...new Set(props.actions.flatMap((a) => [a.split('.')[0]!, a]))].sort();
  return (
    <AdminPage c={c} title={t('console.audit.title')}>
      <p>{t('console.audit.intro')}</p>
      <search>
        <form method="get" action={url} class="filters">
          <div>
            <label for="action">{t('console.audit.action')}</label>
            <select id="action" name="action">
              <option value="">{t('console.people.any')}</option>
              {kinds.map((a) => (
                <option value={a} selected={fields.action === a}>
                  {a}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="actor">{t('console.audit.actor')}</label>
            <input id="actor" name="actor" type="text" value={fields.actor ?? ''} />
          </div>
          <div>
            <label for="from">{t('console.calls.from')}</label>
            <input id="from" name="from" type="date" value={fields.from ?? ''} />
          </div>
          <div>
            <label for="to">{t('console.calls.to')}</label>
            <input id="to" name="to" type="date" value={fields.to ?? ''} />
          </div>
          <div>
            <button class="btn" type="submit">
              {t('console.people.apply')}
            </button>
          </div>
        </form>
      </search>
      <p>
        <a href={`${url}/export.csv${queryString(fields)}`} id="export-csv" download>
          {t('console.audit.exportCsv')}
        </a>{' '}
        ·{' '}
        <a href={`${url}/export.json${queryString(fields)}`} id="export-json" download>
          {t('console.audit.exportJson')}
        </a>
      </p>
      {page.rows.length ? (
        <div class="scroll" tabindex={0}>
          <table id="audit">
            <thead>
              <tr>
                <th scope="col">{t('console.person.when')}</th>
                <th scope="col">{t('console.audit.actor')}</th>
                <th scope="col">{t('console.audit.action')}</th>
                <th scope="col">{t('console.audit.subject')}</th>
                <th scope="col">{t('console.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((e) => (
                <tr data-action={e.action}>
                  <td>{new Date(e.created_at).toISOString().replace('T', ' ').slice(0, 19)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>{e.subject ?? ''}</td>
                  <td>
                    <code>{JSON.stringify(e.details)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p id="no-entries">{t('console.audit.none')}</p>
      )}
      <nav aria-label={t('console.pages')} class="console-nav">
        {page.next ? (
          <a rel="next" href={`${url}${queryString(fields, { before: page.next })}`}>
            {t('console.audit.older')}
          </a>
        ) : null}
      </nav>
    </AdminPage>
  );
}
