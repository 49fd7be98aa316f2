/*
 * Screenshots of the main pages at desktop and mobile widths (Debian Chromium, never a downloaded one), to compare a
 * change to the shipped CSS by eye: `npx tsx scripts/page-shots.ts <out-dir>` starts the app like e2e does (fresh
 * embedded database with demo data in a temporary folder), signs in where a page needs it, and writes <page>-<width>.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DESKTOP, MOBILE, launchBrowser, loginAs } from '../e2e/support/browser.js';
import { DEMO_PASSWORD } from '../e2e/support/helpers.js';
import { startServer } from '../e2e/support/server.js';

/** [name, path, who signs in (mobile number) or none]. */
const PAGES: [string, string, string?][] = [
  ['home', '/'],
  ['services', '/services'],
  ['service', '/services/CAL-PG'],
  ['verify', '/verify'],
  ['login', '/login'],
  ['nodes', '/nodes'],
  ['booking-form', '/bookings/new?service=CAL-PG', '13900000101'],
  ['my-bookings', '/bookings', '13900000101'],
  ['instruments', '/instruments', '13900000101'],
  ['lab', '/lab', '13900000011'],
  ['dashboard', '/admin', '13900000001'],
];

const out = path.resolve(process.argv[2] ?? '.scratch/shots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
try {
  for (const [label, viewport] of [['desktop', DESKTOP], ['mobile', MOBILE]] as const) {
    const signedIn = new Map<string, Awaited<ReturnType<typeof browser.newContext>>>();
    const contextFor = async (who = '') => {
      let context = signedIn.get(who);
      if (!context) {
        context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
        if (who) await loginAs(await context.newPage(), server.url, who, DEMO_PASSWORD);
        signedIn.set(who, context);
      }
      return context;
    };
    for (const [name, url, who] of PAGES) {
      const page = await (await contextFor(who)).newPage();
      await page.goto(server.url + url, { waitUntil: 'load' });
      await page.screenshot({ path: path.join(out, `${name}-${label}.png`), fullPage: true });
      // The menus public/js/app.js opens: the navbar on a phone, the account menu, a dismissed message.
      if (label === 'mobile' && (name === 'home' || name === 'my-bookings')) {
        await page.locator('.navbar-toggler').click();
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(out, `${name}-${label}-menu.png`) });
      }
      if (name === 'my-bookings') {
        await page.locator('.navbar .dropdown-toggle').click();
        await page.screenshot({ path: path.join(out, `${name}-${label}-account-menu.png`) });
        await page.keyboard.press('Escape');
        if (await page.locator('.navbar .dropdown-menu.show').count()) throw new Error('Escape left the account menu open');
      }
      await page.close();
    }
    for (const context of signedIn.values()) await context.close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
