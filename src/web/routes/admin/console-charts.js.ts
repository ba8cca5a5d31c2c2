// The overview page's island: draws each chart with chart.js (served from /assets/chart.umd.js,
// never a CDN) from the table of numbers beside it, so the table, which screen readers and
// printouts use, is the one source of what the chart shows.
// Served from /assets/console-charts.js (the CSP allows only same-origin scripts).
export const CONSOLE_CHARTS_JS = `(() => {
  if (!window.Chart) return;
  const colours = ['#2e7d32', '#0b5394', '#c62828', '#f9a825', '#6a1b9a', '#00838f', '#5d4037', '#455a64', '#ad1457', '#9e9d24'];
  for (const figure of document.querySelectorAll('figure[data-chart]')) {
    const table = figure.querySelector('table');
    const canvas = figure.querySelector('canvas');
    if (!table || !canvas) continue;
    const names = [...table.querySelectorAll('thead th')].slice(1).map((th) => th.textContent);
    const rows = [...table.querySelectorAll('tbody tr')];
    const labels = rows.map((tr) => tr.querySelector('th').textContent);
    const kind = figure.dataset.kind;
    const datasets = names.map((name, i) => ({
      label: name,
      data: rows.map((tr) => Number(tr.querySelectorAll('td')[i].textContent.replace(/[^0-9.-]/g, ''))),
      backgroundColor: kind === 'doughnut' ? colours : colours[i % colours.length],
      borderColor: kind === 'line' ? colours[i % colours.length] : undefined,
    }));
    const stacked = figure.dataset.stacked === 'true';
    new window.Chart(canvas, {
      type: kind,
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        scales: kind === 'doughnut' ? {} : { x: { stacked }, y: { stacked, beginAtZero: true } },
      },
    });
  }
})();
`;
