import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { checkA11y } from './a11y.js';

/** Debian's Chromium, never a downloaded one; the flags keep it off the (closed) network. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}

export const DESKTOP = { width: 1280, height: 900 };
export const MOBILE = { width: 390, height: 844 };

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests (CSP violations show up here). */
  problems: string[];
  /** Serious or critical accessibility violations of every page this session loaded (axe runs on each load). */
  a11y(): Promise<string[]>;
}

export async function newSession(browser: Browser, viewport = DESKTOP): Promise<Session> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // A form refused with 409/422 (or a 429) is the page working as designed; anything else is a problem.
    if (m.type() === 'error' && !/status of (409|422|429) /.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.setDefaultTimeout(15_000);
  // axe-core on every page the journey visits: each load is checked once it has rendered.
  const checks: Promise<void>[] = [];
  const violations: string[] = [];
  page.on('load', () => {
    const url = page.url();
    checks.push(
      checkA11y(page, url)
        .then((found) => void violations.push(...found.map((v) => `${new URL(url).pathname}: ${v}`)))
        .catch(() => undefined), // the page moved on before axe finished: the next load is checked instead
    );
  });
  return {
    context,
    page,
    problems,
    a11y: async () => {
      await Promise.all(checks);
      return violations;
    },
  };
}

export async function loginAs(page: Page, baseUrl: string, identifier: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('手机号或邮箱').fill(identifier);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState('domcontentloaded');
}

export async function logout(page: Page): Promise<void> {
  await page.locator('.navbar .dropdown-toggle').click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.waitForLoadState('domcontentloaded');
}
