// The organisation administrators' area: bulk uploads with live progress and exports. It starts
// small (uploads) and is laid out to take the admin console's other pages (people, call log,
// reports) as sections of the same navigation. English only for now.
import type { Child } from 'hono/jsx';
import type { Upload, UploadProgress } from '../../db/rows.js';
import type { ItemStatus } from '../../domain/item.js';
import { UPLOAD_STATES, type UploadProblem } from '../../domain/upload-file.js';
import { Hidden, Layout } from './layout.js';
import type { PageContext } from './portal.js';

/** What each status means, for administrators. */
export const ADMIN_STATUS_WORDS: Record<ItemStatus, string> = {
  pending: 'waiting for the researcher to connect',
  queued: 'queued for ORCID',
  in_orcid: 'in ORCID',
  deleted: 'deleted from ORCID',
  revoked: 'access withdrawn by the researcher',
  deleted_by_researcher: 'deleted by the researcher',
  record_unavailable: 'record unavailable',
  invalid: 'refused by ORCID',
  retrying: 'retrying',
  failed: 'failed',
};
const STATUS_ORDER = Object.keys(ADMIN_STATUS_WORDS) as ItemStatus[];

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
  return (
    <AdminPage c={props.c} title="Administration">
      {props.signedIn ? (
        <p class="problem">
          You are signed in, but you are not an administrator of {props.c.org}. Ask an administrator, or your
          Lanyard operator (lanyard admin grant).
        </p>
      ) : (
        <p>
          Administrators sign in like everyone else: <a href={`${props.c.base}/`}>sign in on the portal</a>,
          then come back to this page.
        </p>
      )}
    </AdminPage>
  );
}

export function ProgressCounts(props: { progress: UploadProgress }) {
  const { progress } = props;
  return (
    <ul>
      {STATUS_ORDER.filter((s) => progress.byStatus[s]).map((s) => (
        <li>
          <strong data-status={s}>{progress.byStatus[s]}</strong> {ADMIN_STATUS_WORDS[s]}
        </li>
      ))}
    </ul>
  );
}

export function UploadsPage(props: {
  c: PageContext;
  uploads: Array<Upload & { progress: UploadProgress }>;
  fields: { state?: string | undefined; name?: string | undefined; by?: string | undefined };
  /** The key of the next (older) page, if any. */
  next: string | null;
  problems?: UploadProblem[];
  filename?: string;
}) {
  const { c } = props;
  return (
    <AdminPage c={c} title="Uploads">
      {props.problems ? (
        <section class="problem" aria-labelledby="refused">
          <h2 id="refused">{props.filename} was not accepted: nothing was changed</h2>
          <p>Correct these problems and upload the whole file again.</p>
          <ProblemTable problems={props.problems} count={props.problems.length} />
        </section>
      ) : null}
      <section aria-labelledby="new">
        <h2 id="new">Upload</h2>
        <p>
          A CSV of affiliations (employment, education, qualification, invited position, distinction,
          membership, service) or a JSON file of works, funding and peer reviews. The file is checked whole:
          if any row has a problem, nothing is changed. A worker checks it after the upload; its page shows
          the progress. See docs/uploads.md for the columns.
        </p>
        <form
          method="post"
          action={`${c.base}/admin/uploads?_csrf=${encodeURIComponent(c.csrf)}`}
          enctype="multipart/form-data"
        >
          <label for="file">File (.csv or .json, at most 50 MB)</label>
          <input id="file" type="file" name="file" accept=".csv,.json,text/csv,application/json" required />
          <p>
            <button class="btn" type="submit">
              Upload
            </button>
          </p>
        </form>
      </section>
      <section aria-labelledby="past">
        <h2 id="past">Recent uploads</h2>
        <search>
          <form method="get" action={`${c.base}/admin/`} class="filters">
            <div>
              <label for="state">State</label>
              <select id="state" name="state">
                <option value="">Any</option>
                {UPLOAD_STATES.map((s) => (
                  <option value={s} selected={props.fields.state === s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="name">File name contains</label>
              <input id="name" name="name" type="text" value={props.fields.name ?? ''} />
            </div>
            <div>
              <label for="by">Uploaded by</label>
              <input id="by" name="by" type="text" value={props.fields.by ?? ''} />
            </div>
            <div>
              <button class="btn" type="submit">
                Show
              </button>
            </div>
          </form>
        </search>
        {props.uploads.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Uploaded</th>
                <th scope="col">State</th>
                <th scope="col">Rows</th>
                <th scope="col">In ORCID</th>
                <th scope="col">Waiting for researchers</th>
              </tr>
            </thead>
            <tbody>
              {props.uploads.map((u) => (
                <tr>
                  <td>
                    <a href={`${c.base}/admin/uploads/${u.id}`}>{u.filename}</a>
                  </td>
                  <td>
                    {new Date(u.created_at).toISOString().slice(0, 16).replace('T', ' ')} by {u.uploaded_by}
                  </td>
                  <td>{u.state}</td>
                  <td>{u.state === 'accepted' ? u.row_count : u.rows_checked}</td>
                  <td>{u.progress.byStatus.in_orcid ?? 0}</td>
                  <td>{u.progress.byStatus.pending ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p id="no-uploads">No uploads match.</p>
        )}
        {props.next ? (
          <nav aria-label="Pages" class="console-nav">
            <a
              rel="next"
              href={`${c.base}/admin/?${new URLSearchParams(
                Object.entries({ ...props.fields, after: props.next }).filter(
                  (e): e is [string, string] => !!e[1],
                ),
              )}`}
            >
              Older uploads
            </a>
          </nav>
        ) : null}
      </section>
    </AdminPage>
  );
}

/** The problems of a refused file, by row and column. */
function ProblemTable(props: { problems: UploadProblem[]; count: number }) {
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {props.problems.slice(0, 500).map((p) => (
            <tr>
              <td>{p.row ?? ''}</td>
              <td>{p.column ?? ''}</td>
              <td>{p.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.count > 500 ? <p>…and {props.count - 500} more.</p> : null}
    </>
  );
}

/** Where an upload is before it is accepted: the counters the job writes as it goes. */
export function uploadPhaseText(p: UploadProgress): string {
  if (p.state === 'received') return 'Received: waiting for a worker to check it.';
  if (p.state === 'checking')
    return `Checking: ${p.rowsChecked} rows checked, ${p.rowsStated} stated (kept only if every row is clean), ${p.problemCount} problems so far.`;
  if (p.state === 'stating') return `Stating: ${p.rowsStated} of ${p.rowsChecked} rows stated.`;
  if (p.state === 'refused') return `Not accepted: ${p.problemCount} problems, nothing was changed.`;
  if (p.state === 'failed') return 'Failed: nothing was changed.';
  return `Accepted: ${p.total} rows.`;
}

export function UploadPage(props: { c: PageContext; upload: Upload; progress: UploadProgress }) {
  const { c, upload, progress } = props;
  const done = progress.total - (progress.byStatus.queued ?? 0) - (progress.byStatus.retrying ?? 0);
  const url = `${c.base}/admin/uploads/${upload.id}`;
  const ended = upload.state === 'refused' || upload.state === 'failed';
  return (
    <AdminPage c={c} title={upload.filename}>
      <p>
        Uploaded {new Date(upload.created_at).toISOString().slice(0, 16).replace('T', ' ')} by{' '}
        {upload.uploaded_by}.
      </p>
      <section
        aria-labelledby="progress"
        id="upload-progress"
        data-progress-url={`${url}/progress`}
        data-state={upload.state}
      >
        <h2 id="progress">Progress</h2>
        <p id="upload-phase" aria-live="polite" class={ended ? 'problem' : ''}>
          {uploadPhaseText(progress)}
        </p>
        {upload.state === 'accepted' ? (
          <>
            <progress max={progress.total} value={done} aria-label="Items settled">
              {done} / {progress.total}
            </progress>
            <div aria-live="polite" id="upload-counts">
              <ProgressCounts progress={progress} />
            </div>
          </>
        ) : null}
      </section>
      {ended ? (
        <section class="problem" aria-labelledby="refused">
          <h2 id="refused">{upload.filename} was not accepted: nothing was changed</h2>
          <p>Correct these problems and upload the whole file again.</p>
          <ProblemTable problems={upload.problems} count={upload.problem_count} />
        </section>
      ) : null}
      {upload.state === 'accepted' ? (
        <>
          <p>
            <a class="btn-secondary" href={`${url}/export`} download>
              Download the result ({upload.format === 'affiliations-csv' ? 'CSV' : 'JSON'} with put codes and
              statuses)
            </a>
          </p>
          <p class="muted">
            Upload the downloaded file again to update or delete (set action to delete) what it lists.
          </p>
        </>
      ) : null}
      <script src="/assets/upload-progress.js" defer />
    </AdminPage>
  );
}

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
  const pageLink = (from: number) => `${c.base}/admin/registry?start=${from}`;
  return (
    <AdminPage c={c} title="ORCID registry">
      <p>
        Records in ORCID's public registry that name {c.org} in their affiliations (public data only), and
        whether they are connected here. Searched for: <code>{props.query}</code>
      </p>
      {props.error ? (
        <p class="problem" role="alert">
          ORCID could not be searched: {props.error}
        </p>
      ) : (
        <>
          <p id="registry-count">
            {numFound} record{numFound === 1 ? '' : 's'} found
            {numFound ? ` (${start + 1} to ${Math.min(start + pageSize, numFound)} shown)` : ''}.{' '}
            <a href={`${c.base}/admin/registry.csv`} download>
              Download all as CSV
            </a>
          </p>
          {rows.length ? (
            <table id="registry-results">
              <thead>
                <tr>
                  <th scope="col">ORCID iD</th>
                  <th scope="col">Name</th>
                  <th scope="col">Institutions</th>
                  <th scope="col">Connected here</th>
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
                    <td>{r.connectedAs ? `yes, as ${r.connectedAs}` : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <nav aria-label="Pages">
            {start > 0 ? <a href={pageLink(Math.max(0, start - pageSize))}>Previous</a> : null}{' '}
            {start + pageSize < numFound ? <a href={pageLink(start + pageSize)}>Next</a> : null}
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
}) {
  const { c, current, form } = props;
  const field = (name: keyof OrganisationForm, label: string, type = 'text') => (
    <>
      <label for={name}>{label}</label>
      <input id={name} name={name} type={type} value={form[name]} />
    </>
  );
  return (
    <AdminPage c={c} title="Organisation">
      {props.done ? (
        <p class="flash" role="status">
          Renamed. {props.done.ended} affiliations end under the old name and start again under the new one;{' '}
          {props.done.kept} that had ended keep the old name. The writes are queued.
        </p>
      ) : null}
      {props.problems.length ? (
        <div class="problem" role="alert">
          <p>Nothing was changed:</p>
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
        <h2 id="now">As affiliations name it now</h2>
        <p>
          {current.name}, {[current.city, current.region, current.country].filter(Boolean).join(', ')}
          {current.disambiguatedId ? ` (${current.disambiguationSource} ${current.disambiguatedId})` : ''}
        </p>
      </section>
      <section aria-labelledby="rename">
        <h2 id="rename">Rename</h2>
        <p>
          Every open affiliation written with the organisation's name gets an end date the day before the
          rename, under the old name, and starts again under the new name on that date. Ended affiliations
          keep the old name.
        </p>
        <form method="post" action={`${c.base}/admin/organisation`}>
          <Hidden name="_csrf" value={c.csrf} />
          {field('name', 'New name')}
          {field('city', 'City')}
          {field('region', 'Region (optional)')}
          {field('country', 'Country (ISO code, e.g. NZ)')}
          {field('disambiguatedId', 'Organisation identifier (e.g. https://ror.org/...)')}
          <label for="disambiguationSource">Identifier source</label>
          <select id="disambiguationSource" name="disambiguationSource">
            {['ROR', 'RINGGOLD', 'GRID', 'FUNDREF', 'LEI'].map((s) => (
              <option value={s} selected={form.disambiguationSource === s}>
                {s}
              </option>
            ))}
          </select>
          {field('effective', 'Renamed on', 'date')}
          <p>
            <button class="btn" type="submit">
              Rename the organisation
            </button>
          </p>
        </form>
      </section>
    </AdminPage>
  );
}
