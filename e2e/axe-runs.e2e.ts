import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { a11yLog } from './support/a11y.js';
import { newSession } from './support/browser.js';
import { env } from './support/hooks.js';

/** Makes the next axe run on the page fail with `message` (the way a real failure would surface from page.evaluate). */
function failNextAxeRun(page: Page, message: string) {
  const evaluate = page.evaluate.bind(page) as (...args: unknown[]) => Promise<unknown>;
  let failed = false;
  (page as unknown as { evaluate: (...args: unknown[]) => Promise<unknown> }).evaluate = async (...args: unknown[]) => {
    if (!failed && String(args[0]).startsWith('axe.run')) {
      failed = true;
      throw new Error(message);
    }
    return evaluate(...args);
  };
}

describe('the accessibility check itself', () => {
  it('reports a page axe could not check, instead of letting it pass unchecked', async () => {
    const s = await newSession(env.browser!);
    try {
      failNextAxeRun(s.page, 'page.evaluate: TypeError: axe broke');
      await s.page.goto(`${env.server!.url}/services`);
      expect(await s.a11y()).to.deep.equal(['/services: axe could not run (page.evaluate: TypeError: axe broke)']);
    } finally {
      await s.context.close();
    }
  });

  it('checks again, on its own, a page the journey left before axe had finished', async () => {
    const s = await newSession(env.browser!);
    try {
      failNextAxeRun(s.page, 'page.evaluate: Execution context was destroyed, most likely because of a navigation');
      const before = a11yLog.filter((l) => l.url.endsWith('/nodes')).length;
      await s.page.goto(`${env.server!.url}/nodes`);
      expect(await s.a11y()).to.deep.equal([]);
      expect(a11yLog.filter((l) => l.url.endsWith('/nodes')).length, 'checked once more').to.equal(before + 1);
    } finally {
      await s.context.close();
    }
  });
});
