// The upload page's island: while the file is checked and stated, refreshes the counters every
// second and reloads the page once the upload is accepted, refused or failed; then refreshes the
// write counts until nothing waits for ORCID. Its words come from the page (data-texts), in the
// page's language. Served from /assets/upload-progress.js (the CSP allows only same-origin scripts).
export const UPLOAD_PROGRESS_JS = `(() => {
  const box = document.getElementById('upload-progress');
  if (!box) return;
  const texts = JSON.parse(box.dataset.texts);
  const fill = (text, values) => text.replace(/\\{\\{(\\w+)\\}\\}/g, (m, k) => (k in values ? String(values[k]) : m));
  const bar = box.querySelector('progress');
  const counts = document.getElementById('upload-counts');
  async function tick() {
    const r = await fetch(box.dataset.progressUrl, { headers: { accept: 'application/json' } });
    if (!r.ok) return;
    const p = await r.json();
    if (p.state !== box.dataset.state) return location.reload();
    if (p.state === 'refused' || p.state === 'failed') return;
    if (p.state !== 'accepted') {
      document.getElementById('upload-phase').textContent = fill(texts.phase[p.state] || '', {
        checked: p.rowsChecked, stated: p.rowsStated, problems: p.problemCount, total: p.total,
      });
      return setTimeout(tick, 1000);
    }
    const waiting = (p.byStatus.queued || 0) + (p.byStatus.retrying || 0);
    bar.max = p.total;
    bar.value = p.total - waiting;
    bar.textContent = (p.total - waiting) + ' / ' + p.total;
    const ul = document.createElement('ul');
    for (const s of Object.keys(texts.status)) {
      if (!p.byStatus[s]) continue;
      const li = document.createElement('li');
      const strong = document.createElement('strong');
      strong.dataset.status = s;
      strong.textContent = String(p.byStatus[s]);
      li.append(strong, ' ' + texts.status[s]);
      ul.append(li);
    }
    counts.replaceChildren(ul);
    if (!p.settled) setTimeout(tick, 1000);
  }
  setTimeout(tick, 1000);
})();
`;
