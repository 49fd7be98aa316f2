import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { fromRoot } from '../../src/shared/paths.js';
import { a11yLog } from './a11y.js';
import { launchBrowser } from './browser.js';
import { startServer, type RunningServer } from './server.js';

/** One app server and one browser for the whole e2e run; both stop at the end, also when a test failed. */
export const env: { server?: RunningServer; browser?: Browser } = {};
export const ARTIFACTS = fromRoot('.e2e-artifacts');

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(Math.max(180_000, (Number(process.env.E2E_START_TIMEOUT_MS) || 0) + 60_000));
    mkdirSync(`${ARTIFACTS}/screenshots`, { recursive: true });
    env.server = await startServer();
    env.browser = await launchBrowser();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    const pages = new Set(a11yLog.map((l) => new URL(l.url).pathname.replace(/\d+|[A-Z]{2}-\d{8}-\d{4}/g, ':id')));
    console.log(`  axe-core checked ${a11yLog.length} page loads (${pages.size} distinct pages); serious or critical violations: ${a11yLog.reduce((n, l) => n + l.violations.length, 0)}`);
    await env.browser?.close().catch(() => undefined);
    await env.server?.stop();
  },
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([env.browser?.close(), env.server?.stop()]).then(() => process.exit(130));
  });
}
