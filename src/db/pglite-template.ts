import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromRoot } from '../shared/paths.js';

/**
 * A new embedded data folder starts from a template: a PostgreSQL cluster already initialised and migrated, kept as
 * a tarball next to the build. PGlite's `initdb` and the migrations cost ~5 s of a first start on this machine;
 * unpacking the template ~1.3 s. The template holds no data (demo or reference): those are dated from the day of the
 * first start and are seeded then.
 *
 * The file's name is a hash of PGlite's version and every migration file, so a template is only ever used with the
 * migrations it was made with; the migrations still run after it (and find nothing to do). No template, or a stale
 * one: the folder is made the slow way, as before. `npm start` and `npm run build` make it (scripts/start.mjs).
 */
export function pgliteTemplateFile(root = fromRoot('dist', 'pglite-template')): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(fromRoot('node_modules', '@electric-sql', 'pglite', 'package.json')));
  const migrations = fromRoot('drizzle');
  for (const name of readdirSync(migrations).filter((n) => n.endsWith('.sql')).sort()) hash.update(name).update(readFileSync(path.join(migrations, name)));
  hash.update(readFileSync(path.join(migrations, 'meta', '_journal.json')));
  return path.join(root, `${hash.digest('hex').slice(0, 16)}.tar.gz`);
}

/** The template for the current migrations, when one was made. */
export function existingPgliteTemplate(): string | undefined {
  try {
    const file = pgliteTemplateFile();
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined; // no migrations folder or PGlite package to hash: no template
  }
}

/** Makes the template for the current migrations unless it exists; returns its path. */
export async function ensurePgliteTemplate(file = pgliteTemplateFile()): Promise<string> {
  if (existsSync(file)) return file;
  // imported here so that reading the template's name does not load the database code
  const { openDatabase } = await import('./client.js');
  const { runMigrations } = await import('./migrate.js');
  const database = await openDatabase({ kind: 'pglite-memory' });
  try {
    await runMigrations(database);
    const dump = await database.pglite!.dumpDataDir('gzip');
    mkdirSync(path.dirname(file), { recursive: true });
    // written whole, then renamed: a start never sees half a template
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    // templates of earlier migration sets are never used again
    for (const name of readdirSync(path.dirname(file))) if (name.endsWith('.tar.gz') && name !== path.basename(file)) rmSync(path.join(path.dirname(file), name), { force: true });
  } finally {
    await database.close();
  }
  return file;
}
