// The integration-review report: each checklist line and badge with its verdict and evidence,
// laid out to print (the print stylesheet leaves out navigation and links' chrome).
import type { IntegrationReview, ReviewLine } from '../../services/integration-review.service.js';
import type { T } from '../i18n.js';
import { AdminPage } from './admin.js';
import type { PageContext } from './portal.js';

const PRINT = `@media print{header,nav,footer,.skip,.no-print{display:none}body{max-width:none}
table{page-break-inside:auto}tr{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
.verdict-met{color:#2e7d32;font-weight:700}.verdict-not_met{color:#c62828;font-weight:700}.verdict-not_yet{color:#6d4c00;font-weight:700}`;

function Lines(props: { t: T; lines: ReviewLine[]; id: string; caption: string }) {
  const { t } = props;
  return (
    <div class="scroll" tabindex={0}>
      <table id={props.id}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.review.requirement')}</th>
            <th scope="col">{t('console.review.verdict')}</th>
            <th scope="col">{t('console.review.evidence')}</th>
          </tr>
        </thead>
        <tbody>
          {props.lines.map((l) => (
            <tr data-line={l.id} data-verdict={l.verdict}>
              <th scope="row">{t(`console.review.${l.id}.title`)}</th>
              <td class={`verdict-${l.verdict}`}>{t(`console.review.verdict.${l.verdict}`)}</td>
              <td>{t(`console.review.${l.id}.evidence`, l.values)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ReviewPage(props: { c: PageContext; review: IntegrationReview }) {
  const { c, review } = props;
  const { t } = c;
  return (
    <AdminPage c={c} title={t('console.review.title')}>
      <style>{PRINT}</style>
      <p>
        {t('console.review.intro', {
          org: review.organisation,
          environment: review.environment,
          when: review.generatedAt.replace('T', ' ').slice(0, 16),
        })}
      </p>
      <p class="no-print">
        <a href={`${c.base}/admin/review.json`} download id="review-json">
          {t('console.review.json')}
        </a>
      </p>
      <h2>{t('console.review.checklist')}</h2>
      <Lines t={t} lines={review.checklist} id="checklist" caption={t('console.review.checklist')} />
      <h2>{t('console.review.badges')}</h2>
      <Lines t={t} lines={review.badges} id="badges" caption={t('console.review.badges')} />
    </AdminPage>
  );
}
