// The upload page's island: refreshes the counts every second until nothing waits for ORCID.
// Served from /assets/upload-progress.js (the CSP allows only same-origin scripts).
export const uploadProgressScript = (words: Record<string, string>) => `(() => {
  const box = document.getElementById('upload-progress');
  if (!box) return;
  const words = ${JSON.stringify(words)};
  const bar = box.querySelector('progress');
  const counts = document.getElementById('upload-counts');
  async function tick() {
    const r = await fetch(box.dataset.progressUrl, { headers: { accept: 'application/json' } });
    if (!r.ok) return;
    const p = await r.json();
    const waiting = (p.byStatus.queued || 0) + (p.byStatus.retrying || 0);
    bar.max = p.total;
    bar.value = p.total - waiting;
    bar.textContent = (p.total - waiting) + ' / ' + p.total;
    const ul = document.createElement('ul');
    for (const s of Object.keys(words)) {
      if (!p.byStatus[s]) continue;
      const li = document.createElement('li');
      const strong = document.createElement('strong');
      strong.dataset.status = s;
      strong.textContent = String(p.byStatus[s]);
      li.append(strong, ' ' + words[s]);
      ul.append(li);
    }
    counts.replaceChildren(ul);
    if (!p.settled) setTimeout(tick, 1000);
  }
  setTimeout(tick, 1000);
})();
`;
