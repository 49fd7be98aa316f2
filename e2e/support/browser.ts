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
  const report = (url: string, found: string[]) => violations.push(...found.map((v) => `${new URL(url).pathname}: ${v}`));
  /** Pages the journey left before axe had finished on them: opened again on their own at the end (a GET changes nothing). */
  const unfinished: string[] = [];
  const recheck = async (url: string) => {
    const again = await context.newPage();
    try {
      await again.goto(url, { waitUntil: 'load' });
      report(url, await checkA11y(again, url));
    } catch (err) {
      violations.push(`${new URL(url).pathname}: axe could not run (${errorText(err)})`);
    } finally {
      await again.close();
    }
  };
  page.on('load', () => {
    const url = page.url();
    checks.push(
      checkA11y(page, url)
        .then((found) => void report(url, found))
        // The page moved on under axe (a click right after the load), or the next page's run met this one: that page
        // was not checked, so it is checked again at the end. Any other failure fails the test — no page passes unchecked.
        .catch((err: unknown) => void (page.url() !== url || isRetryable(err) ? unfinished.push(url) : violations.push(`${new URL(url).pathname}: axe could not run (${errorText(err)})`))),
    );
  });
  // Waits for every check (the last page's too: its load may still be under way), then checks again the pages left
  // too early — not during the journey, where opening a page could take a flash message meant for its next page.
  const rechecked = new Set<string>();
  const finish = async () => {
    if (!page.isClosed()) await page.waitForLoadState('load').catch(() => undefined);
    for (let n = 0; n < checks.length; n = checks.length) await Promise.all(checks.slice(n));
    for (const url of unfinished.filter((u) => !rechecked.has(u))) {
      rechecked.add(url);
      if (!closed) await recheck(url);
      else violations.push(`${new URL(url).pathname}: not checked (the session closed first)`);
    }
  };
  // A journey closes its context before the report is read: closing waits for the checks of its pages.
  let closed = false;
  const close = context.close.bind(context);
  context.close = async (options?: Parameters<BrowserContext['close']>[0]) => {
    await finish();
    closed = true;
    return close(options);
  };
  return {
    context,
    page,
    problems,
    a11y: async () => {
      await finish();
      return violations;
    },
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));
/** Playwright's words for "the page navigated while evaluating", and axe meeting the run started for the next page. */
const isRetryable = (err: unknown) => /Execution context was destroyed|frame was detached|navigat|Axe is already running/i.test(errorText(err));

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
