// Accessibility check of the current page with axe-core, injected through DevTools (the
// portal's CSP forbids inline scripts, and evaluate is not subject to it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Violations of impact serious or critical (WCAG 2.x A/AA and best practices). */
export async function seriousA11yProblems(page: Page): Promise<AxeProblem[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe and document are the page's globals
    const g = globalThis as any;
    const r = await g.axe.run(g.document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    });
    return r.violations.map(
      (v: { id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }),
    );
  });
  return (violations as AxeProblem[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
