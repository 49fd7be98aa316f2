/**
 * npm run build (after tsc): the server as a bundle, dist/bundle/server.js — what `npm start` runs.
 *
 * Why: a start spent about a second of its main thread loading ~1 500 modules one by one (resolving each import,
 * reading package.json files, compiling each file); bundled, the same code loads in about half the time (measured
 * side by side on this machine: a restart 2.5 → 2.0 s, importing the app 1.0–1.1 → 0.5–0.6 s). What a start does
 * not need stays out of the start: the libraries imported with `import()` (Excel, Word, e-mail, zip, QR, iCalendar,
 * file types, the CSS purge) stay in node_modules and load on first use as before; the app's own modules imported
 * that way (the seeds, the Word form) are chunks of their own. The database thread's entry
 * (src/db/pglite-worker.ts) is a second entry point beside the server's, so `new URL('./pglite-worker.js',
 * import.meta.url)` finds it from any chunk (all chunks are in one folder).
 *
 * Left out of the bundle: PGlite (it loads its WebAssembly and data files next to its own modules), the native
 * password hasher, and pg's optional native binding. Packages written as CommonJS `require` Node's built-ins; the
 * banner gives each chunk a `require` for that. The tsc output (dist/src) stays: the scripts, the template maker and
 * the tests' tools use it; the e2e journeys run this bundle (e2e/support/server.ts), so the artifact users start is
 * the one the browser tests drive.
 */
import { build, stop, type Plugin } from 'esbuild';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromRoot } from '../src/shared/paths.js';

export const BUNDLE_DIR = fromRoot('dist', 'bundle');
export const BUNDLE_ENTRY = path.join(BUNDLE_DIR, 'server.js');

/**
 * Libraries imported with `import()` stay outside the bundle: loaded on first use from node_modules as before, where
 * Node gives a CommonJS package's named exports to `import()` (`const { createEvents } = await import('ics')`); a
 * bundled chunk of such a package exports only `default` (an outside review found the calendar feed answering 500).
 */
const librariesLoadedOnFirstUse: Plugin = {
  name: 'libraries-loaded-on-first-use',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

/** The list of the files of the last build, so the next one knows which files are its predecessor's. */
const MANIFEST = '.files';

export async function bundleServer(outdir = BUNDLE_DIR): Promise<void> {
  const staging = `${outdir}.${process.pid}.partial`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await build({
      entryPoints: [fromRoot('src', 'server.ts'), fromRoot('src', 'db', 'pglite-worker.ts')],
      outdir: staging,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Files beside the chunks, read only when asked for (`NODE_OPTIONS=--enable-source-maps`): a stack then names
      // the source file and line instead of a chunk's.
      sourcemap: 'linked',
      external: ['@electric-sql/pglite', '@node-rs/argon2', 'pg-native'],
      plugins: [librariesLoadedOnFirstUse],
      banner: { js: "import { createRequire as __nqiCreateRequire } from 'node:module'; const require = __nqiCreateRequire(import.meta.url);" },
      logLevel: 'warning',
    });
  } finally {
    await stop(); // esbuild's service process would otherwise live as long as the process that built
  }
  moveIntoPlace(staging, outdir);
}

/**
 * The new build's files are moved into the bundle folder, chunks first and the entry points last, and the files of
 * the build before it are kept: a server still running the previous build loads its chunks on first use (an Excel
 * export, a Word form) from there until it is restarted — deleting them broke those pages between a build and the
 * restart. Files of older builds are removed.
 */
export function moveIntoPlace(staging: string, outdir: string): void {
  const previous = existsSync(path.join(outdir, MANIFEST)) ? readFileSync(path.join(outdir, MANIFEST), 'utf8').split('\n').filter(Boolean) : [];
  const files = readdirSync(staging);
  const entries = new Set(['server.js', 'pglite-worker.js']);
  if (!existsSync(outdir)) renameSync(staging, outdir);
  else {
    for (const name of [...files.filter((f) => !entries.has(f)), ...files.filter((f) => entries.has(f))]) renameSync(path.join(staging, name), path.join(outdir, name));
    rmSync(staging, { recursive: true, force: true });
    const keep = new Set([...files, ...previous, MANIFEST]);
    for (const name of readdirSync(outdir)) if (!keep.has(name)) rmSync(path.join(outdir, name), { force: true });
  }
  writeFileSync(path.join(outdir, MANIFEST), files.join('\n') + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const startedAt = Date.now();
  await bundleServer();
  console.log(`bundle: dist/bundle/server.js (${Date.now() - startedAt} ms)`);
}
