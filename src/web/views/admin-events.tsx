// The console's event endpoints (settings): where Lanyard sends signed events about the
// organisation's people (Standard Webhooks), the secret of a new endpoint shown once, and the
// newest deliveries with their outcome.
import type { EventEndpoint } from '../../db/rows.js';
import { EVENT_TYPES } from '../../domain/events.js';
import { AdminPage, Flash, Problems, ShownOnce } from './admin.js';
import { Hidden } from './layout.js';
import type { PageContext } from './portal.js';

export interface EndpointForm {
  url: string;
  description: string;
  types: string[];
}

export interface DeliveryRow {
  endpoint_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
}

const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

export function EventEndpointsPage(props: {
  c: PageContext;
  endpoints: EventEndpoint[];
  deliveries: DeliveryRow[];
  form: EndpointForm;
  made: { url: string; secret: string } | null;
  problem: string | null;
  flash: string | null;
}) {
  const { c, form } = props;
  const { t } = c;
  const url = `${c.base}/admin/settings/events`;
  const urlOf = new Map(props.endpoints.map((e) => [e.id, e.url]));
  return (
    <AdminPage c={c} title={t('console.events.title')}>
      <Flash text={props.flash} />
      <Problems t={t} problems={props.problem ? [props.problem] : []} />
      <p>{t('console.events.intro')}</p>
      {props.made ? (
        <ShownOnce
          t={t}
          heading={t('console.events.made', { url: props.made.url })}
          note={t('console.events.onlyOnce')}
          id="made-secret"
          label={t('console.events.secret')}
          value={props.made.secret}
        />
      ) : null}
      <form method="post" action={url}>
        <Hidden name="_csrf" value={c.csrf} />
        <label for="endpoint-url">{t('console.events.url')}</label>
        <input id="endpoint-url" name="url" type="text" value={form.url} required />
        <label for="endpoint-description">{t('console.events.description')}</label>
        <input id="endpoint-description" name="description" type="text" value={form.description} />
        <fieldset>
          <legend>{t('console.events.types')}</legend>
          {EVENT_TYPES.map((type, i) => (
            <div class="check">
              <input
                type="checkbox"
                id={`type-${i}`}
                name="types"
                value={type}
                checked={form.types.includes(type)}
              />{' '}
              <label for={`type-${i}`}>
                <code>{type}</code>
              </label>
            </div>
          ))}
        </fieldset>
        <p>
          <button class="btn" type="submit" id="add-endpoint">
            {t('console.events.add')}
          </button>
        </p>
      </form>
      <section aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">{t('console.events.endpoints')}</h2>
        {props.endpoints.length ? (
          <table id="endpoints">
            <thead>
              <tr>
                <th scope="col">{t('console.events.url')}</th>
                <th scope="col">{t('console.events.types')}</th>
                <th scope="col">{t('console.apiKeys.madeOn')}</th>
                <th scope="col">{t('console.apiKeys.state')}</th>
              </tr>
            </thead>
            <tbody>
              {props.endpoints.map((e) => (
                <tr data-endpoint={e.id}>
                  <td>
                    {e.url}
                    {e.description ? <span class="muted"> ({e.description})</span> : null}
                  </td>
                  <td>{e.eventTypes.length ? e.eventTypes.join(', ') : t('console.events.all')}</td>
                  <td>{minute(e.createdAt)}</td>
                  <td>
                    <form method="post" action={`${url}/${e.id}/remove`}>
                      <Hidden name="_csrf" value={c.csrf} />
                      <button class="btn-secondary" type="submit" id={`remove-endpoint-${e.id}`}>
                        {t('console.events.remove')}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p id="no-endpoints">{t('console.events.none')}</p>
        )}
      </section>
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">{t('console.events.deliveries')}</h2>
        {props.deliveries.length ? (
          <table id="deliveries">
            <thead>
              <tr>
                <th scope="col">{t('console.events.when')}</th>
                <th scope="col">{t('console.events.event')}</th>
                <th scope="col">{t('console.events.url')}</th>
                <th scope="col">{t('console.apiKeys.state')}</th>
              </tr>
            </thead>
            <tbody>
              {props.deliveries.map((d) => (
                <tr>
                  <td>{minute(d.created_at)}</td>
                  <td>
                    <code>{d.event_type}</code>
                  </td>
                  <td>{urlOf.get(d.endpoint_id) ?? ''}</td>
                  <td>
                    {t(`console.events.status.${d.status}`)}
                    {d.attempts
                      ? ` · ${t('console.events.attempts', { n: String(d.attempts) })}${d.last_status ? ` · HTTP ${d.last_status}` : ''}`
                      : ''}
                    {d.last_error ? <span lang="en"> · {d.last_error}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{t('console.events.noDeliveries')}</p>
        )}
      </section>
    </AdminPage>
  );
}
