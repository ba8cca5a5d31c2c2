// The console's overview: each chart drawn from the table of its numbers beside it (the island
// /assets/console-charts.js reads the table), with its CSV. Without scripts, the tables remain.
import type { Chart } from '../../services/overview.service.js';
import type { T } from '../i18n.js';
import { AdminPage } from './admin.js';
import type { PageContext } from './portal.js';

/** The chart's labels as the page shows them. */
export const chartLabels = (chart: Chart, t: T) =>
  chart.labelKeys ? chart.labels.map((l) => t(l)) : chart.labels;

function ChartFigure(props: { c: PageContext; chart: Chart }) {
  const { c, chart } = props;
  const { t } = c;
  const title = t(`console.overview.chart.${chart.id}`);
  const labels = chartLabels(chart, t);
  return (
    <section aria-labelledby={`chart-${chart.id}-title`}>
      <h2 id={`chart-${chart.id}-title`}>{title}</h2>
      <figure data-chart={chart.id} data-kind={chart.kind} data-stacked={String(chart.stacked === true)}>
        <canvas
          id={`chart-${chart.id}`}
          role="img"
          aria-label={t('console.overview.chartLabel', { title })}
        />
        <figcaption>
          <a href={`${c.base}/admin/overview/${chart.id}/csv`} download>
            {t('console.overview.csv')}
          </a>
        </figcaption>
        <div class="scroll" tabindex={0}>
          <table id={`table-${chart.id}`}>
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t(chart.axis)}</th>
                {chart.series.map((s) => (
                  <th scope="col">{t(s.name)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((label, i) => (
                <tr>
                  <th scope="row">{label}</th>
                  {chart.series.map((s) => (
                    <td>{s.values[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
    </section>
  );
}

export function OverviewPage(props: { c: PageContext; charts: Chart[] }) {
  const { c } = props;
  const { t } = c;
  return (
    <AdminPage c={c} title={t('console.overview.title')}>
      <p>{t('console.overview.intro')}</p>
      {props.charts.map((chart) => (
        <ChartFigure c={c} chart={chart} />
      ))}
      <script src="/assets/chart.umd.js" defer />
      <script src="/assets/console-charts.js" defer />
    </AdminPage>
  );
}
