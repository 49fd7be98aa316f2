/**
 * npm run bench:pages — Lighthouse 12 (mobile, simulated slow 4G: its defaults) on the public pages and the booking
 * form, with Debian's Chromium (never a downloaded one, kept off the network by the e2e flags). Starts the app like
 * the e2e run does (demo data on a fresh embedded database in a temporary folder; NODE_ENV=test so templates are
 * cached as in production), signs in as a demo company user for the booking form (the session cookie goes in
 * Lighthouse's extraHeaders), and prints per page: performance, accessibility and best-practices scores, FCP, LCP,
 * total transfer, and what Lighthouse would still improve. Ends with the app's RSS.
 * Target (issue 18): performance ≥ 98, LCP < 1.5 s, accessibility and best practices 100.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { CHROMIUM_PATH } from '../e2e/support/browser.js';
import { DEMO_PASSWORD } from '../e2e/support/helpers.js';
import { startServer } from '../e2e/support/server.js';
import { appRss } from './bench-support.js';

const PAGES: [string, string, boolean?][] = [
  ['首页', '/'],
  ['服务目录', '/services'],
  ['服务详情', '/services/CAL-PG'],
  ['预约表单', '/bookings/new?service=CAL-PG', true],
  ['报告查验', '/verify'],
];
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Chromium with a DevTools port for Lighthouse; resolves once it listens. */
async function startChromium(): Promise<{ port: number; stop: () => void }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'nqi-lh-'));
  const child = spawn(CHROMIUM_PATH, [...FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(seen);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${seen.slice(-500)}`)));
  });
  return {
    port,
    stop: () => {
      child.kill('SIGTERM');
      setTimeout(() => rmSync(profile, { recursive: true, force: true }), 500).unref();
    },
  };
}

/** Signs in through the login form and returns the session cookie. */
async function sessionCookie(base: string, identifier: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: new URLSearchParams({ _csrf: token, identifier, password: DEMO_PASSWORD }) });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('nqi.sid='));
  if (res.status !== 302 || !session) throw new Error(`login failed: ${res.status}`);
  return session.split(';')[0]!;
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${(v / 1000).toFixed(2)} s`);

const server = await startServer({ NODE_ENV: 'test' });
const chromium = await startChromium();
try {
  const cookie = await sessionCookie(server.url, '13900000101');
  // One run that is not counted: Chromium's own first-start work would otherwise land on the first page.
  await lighthouse(server.url + '/', { port: chromium.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] });
  const rows: Record<string, Record<string, string | number>> = {};
  const advice: string[] = [];
  for (const [name, url, signedIn] of PAGES) {
    // A first visit warms the server's caches (templates, the catalog); Lighthouse then loads the page cold in the browser.
    await fetch(server.url + url, { headers: signedIn ? { cookie } : {} }).then((r) => r.arrayBuffer());
    const result = await lighthouse(server.url + url, {
      port: chromium.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
      ...(signedIn ? { extraHeaders: { cookie } } : {}),
    });
    if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
    const { categories, audits } = result.lhr;
    const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100);
    rows[`${name} ${url}`] = {
      performance: score('performance'),
      accessibility: score('accessibility'),
      'best practices': score('best-practices'),
      FCP: ms(audits['first-contentful-paint']?.numericValue),
      LCP: ms(audits['largest-contentful-paint']?.numericValue),
      'transfer (KiB)': Math.round((audits['total-byte-weight']?.numericValue ?? 0) / 1024),
    };
    for (const category of ['performance', 'accessibility', 'best-practices']) {
      for (const ref of categories[category]?.auditRefs ?? []) {
        const audit = audits[ref.id];
        if (!audit || audit.score === null || audit.score >= 0.9 || audit.scoreDisplayMode === 'informative' || audit.scoreDisplayMode === 'manual' || audit.scoreDisplayMode === 'notApplicable') continue;
        advice.push(`${url} · ${category} · ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
      }
    }
  }
  console.log('\nbench:pages — Lighthouse 12, mobile, simulated slow 4G (targets: performance ≥ 98, LCP < 1.5 s, accessibility and best practices 100)');
  console.table(rows);
  if (advice.length) console.log(`still to improve:\n  ${advice.join('\n  ')}`);
  console.log(`RSS of the app (tsx, after the run): ${appRss(server.pid)} MB`);
} finally {
  chromium.stop();
  await server.stop();
}
