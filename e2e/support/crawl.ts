import type { Page } from 'playwright-core';
import { findLatinProse, type ProseFinding } from './latin-prose.js';

/** Links a crawl never follows: signing out, downloads, files, and the machine-readable API. */
const SKIP = [/^\/logout/, /\/export\//, /\.(csv|xlsx|docx|pdf|json|ics)(\?|$)/, /\/(pdf|xlsx|csv|docx|photo)(\?|$)/, /\/attachments\//, /^\/api\//, /^\/vendor\//, /^\/static\//];

/**
 * The shape of a URL: numbers, booking and report numbers become placeholders, query values are dropped. A crawl
 * visits a few pages of each shape (one booking page shows what the others show).
 */
export function urlShape(pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://x');
  const path = url.pathname
    .replace(/[A-Z]{2}-\d{8}-\d{4}/g, ':no')
    .replace(/^\/services\/[A-Z][\w-]*/, '/services/:code')
    .replace(/\/\d+(?=\/|$)/g, '/:id');
  const keys = [...new Set([...url.searchParams.keys()])].filter((k) => k !== 'page').sort();
  return keys.length ? `${path}?${keys.join('&')}` : path;
}

/** The text a user reads on the page: what is rendered, plus option texts, placeholders, titles and labels for assistive technology. Code elements and text marked as English (lang="en", the English of a bilingual report) are left out. */
async function readableText(page: Page): Promise<string> {
  return (await page.evaluate(`(() => {
    const extra = [];
    document.querySelectorAll('select option').forEach((o) => extra.push(o.textContent));
    document.querySelectorAll('[placeholder],[title],[aria-label],img[alt],input[type=submit],input[type=button]').forEach((el) => {
      for (const a of ['placeholder', 'title', 'aria-label', 'alt']) if (el.getAttribute(a)) extra.push(el.getAttribute(a));
      if (el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'button')) extra.push(el.value);
    });
    document.querySelectorAll('code, kbd, samp, script, style, template, noscript, svg, [lang="en"]').forEach((el) => el.remove());
    return [document.title, document.body.innerText, ...extra].join('\\n');
  })()`)) as string;
}

export interface CrawlResult {
  visited: string[];
  findings: { url: string; finding: ProseFinding }[];
  errors: string[];
}

/**
 * Visits the pages reachable from `start` by same-origin links (GET), breadth first, at most `perShape` pages of each
 * URL shape (or as `perShapeOf` says for a shape) and `max` pages in all, and collects the Latin prose on each page and the pages that answered ≥ 500.
 */
export async function crawlForProse(page: Page, baseUrl: string, start: string, opts: { max?: number; perShape?: number; perShapeOf?: Record<string, number> } = {}): Promise<CrawlResult> {
  const max = opts.max ?? 80;
  const perShape = opts.perShape ?? 2;
  const origin = new URL(baseUrl).origin;
  const queue = [start];
  const seen = new Set(queue);
  const shapes = new Map<string, number>();
  const result: CrawlResult = { visited: [], findings: [], errors: [] };
  while (queue.length && result.visited.length < max) {
    const path = queue.shift()!;
    const shape = urlShape(path);
    if ((shapes.get(shape) ?? 0) >= (opts.perShapeOf?.[shape] ?? perShape)) continue;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    // A link may still lead to a file (a download starts instead of a page): that is no page to read.
    const response = await page.goto(origin + path, { waitUntil: 'domcontentloaded' }).catch((err: Error) => {
      if (/Download is starting/.test(err.message)) return null;
      throw err;
    });
    if (response === null) continue;
    result.visited.push(path);
    if (response.status() >= 500) result.errors.push(`${path}: ${response.status()}`);
    if (!(response?.headers()['content-type'] ?? '').includes('text/html')) continue;
    const links = (await page.evaluate(`[...document.querySelectorAll('a[href]')].map((a) => a.href)`)) as string[];
    for (const href of links) {
      const url = new URL(href, origin);
      if (url.origin !== origin) continue;
      const next = url.pathname + url.search;
      if (seen.has(next) || SKIP.some((s) => s.test(next))) continue;
      seen.add(next);
      queue.push(next);
    }
    for (const finding of findLatinProse(await readableText(page))) result.findings.push({ url: path, finding });
  }
  return result;
}
