/* global process */
// npm start: build only when a source file is newer than the last build (the purged CSS only when a view, a script or
// a source file changed), then run the server's bundle (scripts/bundle.ts) in this process.
// (`tsc` on every start cost several seconds even with nothing to compile.)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const compiled = path.join(root, 'dist', 'src', 'server.js');
const entry = path.join(root, 'dist', 'bundle', 'server.js');

/** The newest modification time of the build's inputs: src, scripts, the TypeScript configs, package.json. */
function newestInput() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  walk(path.join(root, 'scripts'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) {
    const full = path.join(root, file);
    if (existsSync(full)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const upToDate = existsSync(stamp) && existsSync(compiled) && existsSync(entry) && statSync(stamp).mtimeMs >= newestInput();
if (!upToDate) {
  const startedAt = Date.now();
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  const { bundleServer } = await import(pathToFileURL(path.join(root, 'dist', 'scripts', 'bundle.js')).href);
  await bundleServer();
  writeFileSync(stamp, `built in ${Date.now() - startedAt} ms\n`);
}
// The Bootstrap CSS the pages use, rebuilt when a view, a browser script or a source file changed (src/http/purged-css.ts).
const { ensurePurgedCss } = await import(pathToFileURL(path.join(root, 'dist', 'src', 'http', 'purged-css.js')).href);
await ensurePurgedCss();
// A new embedded data folder starts from an initialised, migrated cluster made once per set of migrations
// (src/db/pglite-template.ts); not needed when the app runs on a PostgreSQL server.
if (!process.env.DATABASE_URL) {
  const { ensurePgliteTemplate } = await import(pathToFileURL(path.join(root, 'dist', 'src', 'db', 'pglite-template.js')).href);
  await ensurePgliteTemplate();
}
// NQI_BUILD_ONLY=1: bring the build up to date and stop (bench:start times the starts apart from the build).
if (!process.env.NQI_BUILD_ONLY) await import(pathToFileURL(entry).href);
