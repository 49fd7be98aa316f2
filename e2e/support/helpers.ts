import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { creditCodeCheckChar } from '../../src/enterprises/credit-code.js';
import { checkA11y } from './a11y.js';

export const DEMO_PASSWORD = 'Demo@NQI2026';

/** A valid credit code no other run has used (the check character computed as GB 32100 says). */
export function freshCreditCode(): string {
  const body = `91330902${String(Date.now()).slice(-6)}${String(Math.floor(Math.random() * 90) + 10)}X`;
  return body + creditCodeCheckChar(body);
}

export function freshMobile(): string {
  return `135${String(Date.now()).slice(-8)}`;
}

/** Fails the test at once with the page's serious or critical accessibility problems. */
export async function expectAccessible(page: Page, label?: string): Promise<void> {
  const problems = await checkA11y(page, label);
  expect(problems, `axe on ${label ?? page.url()}`).to.deep.equal([]);
}

interface Focused {
  tag: string;
  type: string;
  name: string;
  text: string;
  label: string;
}

/** What has keyboard focus: tag, type, name, its text and its label. */
export async function focused(page: Page): Promise<Focused> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return { tag: '', type: '', name: '', text: '', label: '' };
    const label = el.labels && el.labels[0] ? el.labels[0].textContent : (el.getAttribute('aria-label') || '');
    return { tag: el.tagName.toLowerCase(), type: el.getAttribute('type') || '', name: el.getAttribute('name') || '', text: (el.textContent || '').trim(), label: (label || '').trim() };
  })()`)) as Focused;
}

/** Presses Tab until the focused element matches — proving it can be reached with the keyboard alone. */
export async function tabTo(page: Page, matches: (f: Focused) => boolean, what: string, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (matches(await focused(page))) return;
  }
  throw new Error(`could not reach ${what} with Tab`);
}
