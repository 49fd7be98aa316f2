import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Every page checked during the run, with the serious or critical violations found on it. */
export const a11yLog: { url: string; violations: string[] }[] = [];

/**
 * Runs axe-core on the page (evaluated through the DevTools protocol, so the page's strict CSP stays on) and records
 * serious/critical violations; returns them so a test can fail right there.
 */
export async function checkA11y(page: Page, label = page.url()): Promise<string[]> {
  await page.evaluate(axeSource);
  // A string, evaluated in the page: the test code has no DOM types.
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  a11yLog.push({ url: label, violations: serious });
  return serious;
}
