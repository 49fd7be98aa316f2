import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromRoot } from '../shared/paths.js';

/*
 * Only the Bootstrap CSS the pages use. A build step (`npm run build`, and `npm start` / the e2e server whenever a
 * view, a script or a source file is newer than the output) runs PurgeCSS over the whole Bootstrap stylesheet with
 * every template, browser script and TypeScript source (presenters and helpers write class names) as content, and
 * writes dist/css/bootstrap.min.css. The asset table serves that file under Bootstrap's usual URL — fingerprinted and
 * precompressed like every asset — only while it is newer than every input; a stale or missing build falls back to the
 * whole stylesheet, so a page is never left without a class it uses.
 */

export const PURGED_CSS = fromRoot('dist', 'css', 'bootstrap.min.css');
const FULL_CSS = fromRoot('node_modules', 'bootstrap', 'dist', 'css', 'bootstrap.min.css');

/** Where class names are written: templates, browser scripts, and the TypeScript that renders markup. */
const CONTENT_DIRS: [string, string][] = [
  ['views', '.ejs'],
  ['public/js', '.js'],
  ['src', '.ts'],
];

const COLOURS = '(primary|secondary|success|danger|warning|info|light|dark)';

/**
 * Classes no content file spells out whole: those Bootstrap's own script adds for the components the pages use
 * (collapse, dropdown, alert dismissal; no modal, offcanvas, tooltip or toast is used), the states it toggles, and colour variants a template builds from a value (`alert-<%= kind %>`).
 */
const SAFELIST = {
  standard: [/^(show|showing|hiding|fade|collapse|collapsing|collapse-horizontal|active|disabled|was-validated|is-valid|is-invalid)$/, new RegExp(`^(alert|btn|btn-outline|text-bg|bg|text|border|table|link)-${COLOURS}$`)],
  greedy: [/data-bs-popper/],
};

function newestIn(dir: string, ext: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestIn(full, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** The purged stylesheet's path when it is newer than every input (and Bootstrap itself); otherwise undefined. */
export function freshPurgedCss(): string | undefined {
  if (!existsSync(PURGED_CSS)) return undefined;
  const built = statSync(PURGED_CSS).mtimeMs;
  const newest = Math.max(statSync(FULL_CSS).mtimeMs, ...CONTENT_DIRS.map(([dir, ext]) => newestIn(fromRoot(dir), ext)));
  return built >= newest ? PURGED_CSS : undefined;
}

/** Runs PurgeCSS and writes the purged stylesheet; returns its size and the whole one's. */
export async function buildPurgedCss(): Promise<{ full: number; purged: number }> {
  const { PurgeCSS } = await import('purgecss');
  const content = CONTENT_DIRS.map(([dir, ext]) => `${fromRoot(dir)}/**/*${ext}`);
  const [result] = await new PurgeCSS().purge({ content, css: [FULL_CSS], safelist: SAFELIST, keyframes: true, fontFace: true, variables: true });
  if (!result) throw new Error('PurgeCSS returned nothing');
  mkdirSync(path.dirname(PURGED_CSS), { recursive: true });
  writeFileSync(PURGED_CSS, result.css);
  return { full: statSync(FULL_CSS).size, purged: Buffer.byteLength(result.css) };
}

/** Builds the purged stylesheet unless it is up to date (npm start, the e2e server). */
export async function ensurePurgedCss(): Promise<void> {
  if (freshPurgedCss()) return;
  const startedAt = Date.now();
  const { full, purged } = await buildPurgedCss();
  console.warn(`CSS: Bootstrap ${Math.round(full / 1024)} KB → ${Math.round(purged / 1024)} KB used by the pages (${Date.now() - startedAt} ms)`);
}
