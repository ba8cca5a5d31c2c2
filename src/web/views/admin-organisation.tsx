// The console's organisation pages: its identity as affiliations name it, with the rename form,
// and the records in ORCID's public registry that list it (marked when connected here).
import { AdminPage } from './admin.js';
import { Hidden } from './layout.js';
import type { PageContext } from './portal.js';

export interface OrganisationForm {
  name: string;
  city: string;
  region: string;
  country: string;
  disambiguatedId: string;
  disambiguationSource: string;
  effective: string;
}

/** One record ORCID's registry lists for the organisation. */
export interface RegistryRow {
  orcid: string;
  name: string;
  institutions: string[];
  connectedAs: string | null;
}

/** Records in ORCID's public registry that list the organisation, marked when connected here. */
export function RegistryPage(props: {
  c: PageContext;
  query: string;
  numFound: number;
  rows: RegistryRow[];
  start: number;
  pageSize: number;
  error: string | null;
}) {
  const { c, rows, start, pageSize, numFound } = props;
  const { t } = c;
  const pageLink = (from: number) => `${c.base}/admin/registry?start=${from}`;
  return (
    <AdminPage c={c} title={t('console.registry.title')}>
      <p>
        {t('console.registry.intro', { org: c.org })} <code>{props.query}</code>
      </p>
      {props.error ? (
        <p class="problem" role="alert">
          {t('console.registry.error', { error: props.error })}
        </p>
      ) : (
        <>
          <p id="registry-count" data-found={String(numFound)}>
            {t('console.registry.found', { n: String(numFound) })}
            {numFound
              ? ` ${t('console.registry.shown', { from: String(start + 1), to: String(Math.min(start + pageSize, numFound)) })}`
              : ''}
            .{' '}
            <a href={`${c.base}/admin/registry.csv`} download>
              {t('console.registry.csv')}
            </a>
          </p>
          {rows.length ? (
            <table id="registry-results">
              <thead>
                <tr>
                  <th scope="col">{t('console.people.orcid')}</th>
                  <th scope="col">{t('console.registry.name')}</th>
                  <th scope="col">{t('console.registry.institutions')}</th>
                  <th scope="col">{t('console.registry.connected')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr data-orcid={r.orcid} data-connected={r.connectedAs ? 'yes' : 'no'}>
                    <td>
                      <a href={`${c.registry}/${r.orcid}`}>{`${c.registry}/${r.orcid}`}</a>
                    </td>
                    <td>{r.name}</td>
                    <td>{r.institutions.join('; ')}</td>
                    <td>
                      {r.connectedAs
                        ? t('console.registry.yesAs', { localId: r.connectedAs })
                        : t('console.registry.no')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <nav aria-label={t('console.uploads.pages')}>
            {start > 0 ? (
              <a href={pageLink(Math.max(0, start - pageSize))}>{t('console.registry.previous')}</a>
            ) : null}{' '}
            {start + pageSize < numFound ? (
              <a href={pageLink(start + pageSize)}>{t('console.registry.next')}</a>
            ) : null}
          </nav>
        </>
      )}
    </AdminPage>
  );
}

export function OrganisationPage(props: {
  c: PageContext;
  current: OrganisationForm;
  form: OrganisationForm;
  problems: Array<{ field: string; message: string }>;
  done: { ended: number; started: number; kept: number } | null;
  flash: string | null;
}) {
  const { c, current, form } = props;
  const { t } = c;
  /** A field of one of the two forms (`prefix` keeps their ids apart). */
  const field = (name: keyof OrganisationForm, values: OrganisationForm, prefix = '', type = 'text') => (
    <>
      <label for={`${prefix}${name}`}>{t(`console.organisation.${name}`)}</label>
      <input id={`${prefix}${name}`} name={name} type={type} value={values[name]} />
    </>
  );
  const sources = (id: string, selected: string) => (
    <>
      <label for={id}>{t('console.organisation.source')}</label>
      <select id={id} name="disambiguationSource">
        {['ROR', 'RINGGOLD', 'GRID', 'FUNDREF', 'LEI'].map((s) => (
          <option value={s} selected={selected === s}>
            {s}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <AdminPage c={c} title={t('console.organisation.title')}>
      {props.done ? (
        <p class="flash" role="status">
          {t('console.organisation.renamed', {
            ended: String(props.done.ended),
            kept: String(props.done.kept),
          })}
        </p>
      ) : null}
      {props.flash ? (
        <p class="flash" role="status" id="flash">
          {props.flash}
        </p>
      ) : null}
      {props.problems.length ? (
        <div class="problem" role="alert">
          <p>{t('console.organisation.nothingChanged')}</p>
          <ul>
            {props.problems.map((p) => (
              <li>
                {p.field}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <section aria-labelledby="now">
        <h2 id="now">{t('console.organisation.now')}</h2>
        <p>
          {current.name}, {[current.city, current.region, current.country].filter(Boolean).join(', ')}
          {current.disambiguatedId ? ` (${current.disambiguationSource} ${current.disambiguatedId})` : ''}
        </p>
      </section>
      <section aria-labelledby="correct">
        <h2 id="correct">{t('console.organisation.correct')}</h2>
        <p>{t('console.organisation.correctText')}</p>
        <form method="post" action={`${c.base}/admin/organisation/identity`}>
          <Hidden name="_csrf" value={c.csrf} />
          {field('name', current, 'fix-')}
          {field('city', current, 'fix-')}
          {field('region', current, 'fix-')}
          {field('country', current, 'fix-')}
          {field('disambiguatedId', current, 'fix-')}
          {sources('fix-disambiguationSource', current.disambiguationSource)}
          <p>
            <button class="btn-secondary" type="submit" id="save-identity">
              {t('console.settings.save')}
            </button>
          </p>
        </form>
      </section>
      <section aria-labelledby="rename">
        <h2 id="rename">{t('console.organisation.rename')}</h2>
        <p>{t('console.organisation.renameText')}</p>
        <form method="post" action={`${c.base}/admin/organisation`}>
          <Hidden name="_csrf" value={c.csrf} />
          {field('name', form)}
          {field('city', form)}
          {field('region', form)}
          {field('country', form)}
          {field('disambiguatedId', form)}
          {sources('disambiguationSource', form.disambiguationSource)}
          {field('effective', form, '', 'date')}
          <p>
            <button class="btn" type="submit">
              {t('console.organisation.submit')}
            </button>
          </p>
        </form>
      </section>
    </AdminPage>
  );
}
