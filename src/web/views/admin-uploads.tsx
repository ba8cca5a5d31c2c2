// The console's uploads: the list (with the upload form and filters), an upload's page with its
// live progress (the island in routes/admin/upload-progress.js.ts), and a refused file's problems.
import type { Upload, UploadProgress } from '../../db/rows.js';
import { ITEM_STATUSES } from '../../domain/item.js';
import { UPLOAD_STATES, type UploadProblem } from '../../domain/upload-file.js';
import type { T } from '../i18n.js';
import { AdminPage } from './admin.js';
import type { PageContext } from './portal.js';

const minute = (d: Date | string) => new Date(d).toISOString().slice(0, 16).replace('T', ' ');

export function ProgressCounts(props: { progress: UploadProgress; t: T }) {
  const { progress, t } = props;
  return (
    <ul>
      {ITEM_STATUSES.filter((s) => progress.byStatus[s]).map((s) => (
        <li>
          <strong data-status={s}>{progress.byStatus[s]}</strong> {t(`console.status.${s}`)}
        </li>
      ))}
    </ul>
  );
}

/** Where an upload is before it is accepted: the counters the job writes as it goes. */
export function uploadPhaseText(t: T, p: UploadProgress): string {
  return t(`console.uploads.phase.${p.state}`, {
    checked: String(p.rowsChecked),
    stated: String(p.rowsStated),
    problems: String(p.problemCount),
    total: String(p.total),
  });
}

/** The problems of a refused file, by row and column. */
function Refused(props: { t: T; filename: string; problems: UploadProblem[]; count: number }) {
  const { t } = props;
  return (
    <section class="problem" aria-labelledby="refused">
      <h2 id="refused">{t('console.uploads.refused', { filename: props.filename })}</h2>
      <p>{t('console.uploads.correct')}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('console.uploads.row')}</th>
            <th scope="col">{t('console.uploads.column')}</th>
            <th scope="col">{t('console.uploads.problem')}</th>
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
      {props.count > 500 ? <p>{t('console.uploads.more', { n: String(props.count - 500) })}</p> : null}
    </section>
  );
}

export function UploadsPage(props: {
  c: PageContext;
  uploads: Array<Upload & { progress: UploadProgress }>;
  fields: { state?: string | undefined; name?: string | undefined; by?: string | undefined };
  /** The key of the next (older) page, if any. */
  next: string | null;
  /** The problems of a file just refused. */
  problems?: UploadProblem[];
}) {
  const { c } = props;
  const { t } = c;
  return (
    <AdminPage c={c} title={t('console.uploads.title')}>
      {props.problems ? (
        <Refused
          t={t}
          filename={t('console.uploads.theUpload')}
          problems={props.problems}
          count={props.problems.length}
        />
      ) : null}
      <section aria-labelledby="new">
        <h2 id="new">{t('console.uploads.new')}</h2>
        <p>{t('console.uploads.newText')}</p>
        <form
          method="post"
          action={`${c.base}/admin/uploads?_csrf=${encodeURIComponent(c.csrf)}`}
          enctype="multipart/form-data"
        >
          <label for="file">{t('console.uploads.file')}</label>
          <input id="file" type="file" name="file" accept=".csv,.json,text/csv,application/json" required />
          <p>
            <button class="btn" type="submit">
              {t('console.uploads.submit')}
            </button>
          </p>
        </form>
      </section>
      <section aria-labelledby="past">
        <h2 id="past">{t('console.uploads.recent')}</h2>
        <search>
          <form method="get" action={`${c.base}/admin/`} class="filters">
            <div>
              <label for="state">{t('console.uploads.state')}</label>
              <select id="state" name="state">
                <option value="">{t('console.uploads.any')}</option>
                {UPLOAD_STATES.map((s) => (
                  <option value={s} selected={props.fields.state === s}>
                    {t(`console.uploadState.${s}`)}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="name">{t('console.uploads.nameContains')}</label>
              <input id="name" name="name" type="text" value={props.fields.name ?? ''} />
            </div>
            <div>
              <label for="by">{t('console.uploads.by')}</label>
              <input id="by" name="by" type="text" value={props.fields.by ?? ''} />
            </div>
            <div>
              <button class="btn" type="submit">
                {t('console.uploads.show')}
              </button>
            </div>
          </form>
        </search>
        {props.uploads.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('console.uploads.fileColumn')}</th>
                <th scope="col">{t('console.uploads.uploaded')}</th>
                <th scope="col">{t('console.uploads.state')}</th>
                <th scope="col">{t('console.uploads.rows')}</th>
                <th scope="col">{t('console.uploads.inOrcid')}</th>
                <th scope="col">{t('console.uploads.waiting')}</th>
              </tr>
            </thead>
            <tbody>
              {props.uploads.map((u) => (
                <tr data-state={u.state}>
                  <td>
                    <a href={`${c.base}/admin/uploads/${u.id}`}>{u.filename}</a>
                  </td>
                  <td>
                    {t('console.uploads.uploadedBy', { when: minute(u.created_at), who: u.uploaded_by })}
                  </td>
                  <td>{t(`console.uploadState.${u.state}`)}</td>
                  <td>{u.state === 'accepted' ? u.row_count : u.rows_checked}</td>
                  <td>{u.progress.byStatus.in_orcid ?? 0}</td>
                  <td>{u.progress.byStatus.pending ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p id="no-uploads">{t('console.uploads.none')}</p>
        )}
        {props.next ? (
          <nav aria-label={t('console.uploads.pages')} class="console-nav">
            <a
              rel="next"
              href={`${c.base}/admin/?${new URLSearchParams(
                Object.entries({ ...props.fields, after: props.next }).filter(
                  (e): e is [string, string] => !!e[1],
                ),
              )}`}
            >
              {t('console.uploads.older')}
            </a>
          </nav>
        ) : null}
      </section>
    </AdminPage>
  );
}

/** What the progress island writes, in the page's language. */
function progressTexts(t: T) {
  return {
    phase: Object.fromEntries(
      (['received', 'checking', 'stating'] as const).map((s) => [s, t(`console.uploads.phase.${s}`)]),
    ),
    status: Object.fromEntries(ITEM_STATUSES.map((s) => [s, t(`console.status.${s}`)])),
  };
}

export function UploadPage(props: { c: PageContext; upload: Upload; progress: UploadProgress }) {
  const { c, upload, progress } = props;
  const { t } = c;
  const done = progress.total - (progress.byStatus.queued ?? 0) - (progress.byStatus.retrying ?? 0);
  const url = `${c.base}/admin/uploads/${upload.id}`;
  const ended = upload.state === 'refused' || upload.state === 'failed';
  return (
    <AdminPage c={c} title={upload.filename}>
      <p>{t('console.uploads.uploadedOn', { when: minute(upload.created_at), who: upload.uploaded_by })}</p>
      <section
        aria-labelledby="progress"
        id="upload-progress"
        data-progress-url={`${url}/progress`}
        data-state={upload.state}
        data-texts={JSON.stringify(progressTexts(t))}
      >
        <h2 id="progress">{t('console.uploads.progress')}</h2>
        <p id="upload-phase" aria-live="polite" class={ended ? 'problem' : ''}>
          {uploadPhaseText(t, progress)}
        </p>
        {upload.state === 'accepted' ? (
          <>
            <progress max={progress.total} value={done} aria-label={t('console.uploads.settled')}>
              {done} / {progress.total}
            </progress>
            <div aria-live="polite" id="upload-counts">
              <ProgressCounts progress={progress} t={t} />
            </div>
          </>
        ) : null}
      </section>
      {ended ? (
        <Refused t={t} filename={upload.filename} problems={upload.problems} count={upload.problem_count} />
      ) : null}
      {upload.state === 'accepted' ? (
        <>
          <p>
            <a class="btn-secondary" href={`${url}/export`} download>
              {t('console.uploads.download', {
                format: upload.format === 'affiliations-csv' ? 'CSV' : 'JSON',
              })}
            </a>
          </p>
          <p class="muted">{t('console.uploads.downloadNote')}</p>
        </>
      ) : null}
      <script src="/assets/upload-progress.js" defer />
    </AdminPage>
  );
}
