import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fromRoot } from '../shared/paths.js';

/**
 * A new embedded data folder starts from a template: a PostgreSQL cluster already initialised and migrated, kept as a
 * folder next to the build and copied (PGlite's `initdb` and the migrations cost ~5 s of a first start on this
 * machine; copying the folder ~0.4 s — unpacking the same cluster from PGlite's tarball, as before, took 2–3 s: a
 * second PostgreSQL start and stop). The template holds no data (demo or reference): those are dated from the day of
 * the first start and are seeded then.
 *
 * The folder's name is a hash of PGlite's version and every migration file, so a template is only ever used with the
 * migrations it was made with; the migrations still run after it (and find nothing to do). No template, or a stale
 * one: the folder is made the slow way, as before. `npm start` and `npm run build` make it (scripts/start.mjs).
 */
export function pgliteTemplateFile(root = fromRoot('dist', 'pglite-template')): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(fromRoot('node_modules', '@electric-sql', 'pglite', 'package.json')));
  const migrations = fromRoot('drizzle');
  for (const name of readdirSync(migrations).filter((n) => n.endsWith('.sql')).sort()) hash.update(name).update(readFileSync(path.join(migrations, name)));
  hash.update(readFileSync(path.join(migrations, 'meta', '_journal.json')));
  return path.join(root, hash.digest('hex').slice(0, 16));
}

/** The template for the current migrations, when one was made. */
export function existingPgliteTemplate(): string | undefined {
  try {
    const folder = pgliteTemplateFile();
    return existsSync(folder) ? folder : undefined;
  } catch {
    return undefined; // no migrations folder or PGlite package to hash: no template
  }
}

/** Makes the template for the current migrations unless it exists; returns its path. */
export async function ensurePgliteTemplate(folder = pgliteTemplateFile()): Promise<string> {
  if (existsSync(folder)) return folder;
  // imported here so that reading the template's name does not load the database code
  const { openDatabase } = await import('./client.js');
  const { runMigrations } = await import('./migrate.js');
  // made beside its place, then renamed: a start never copies half a template
  const partial = `${folder}.${process.pid}-${randomUUID().slice(0, 8)}.partial`;
  const database = await openDatabase({ kind: 'pglite-dir', dataDir: partial });
  try {
    await runMigrations(database);
  } finally {
    await database.close();
  }
  try {
    renameSync(path.join(partial, 'pgdata'), folder);
  } catch (error) {
    // two first starts from one build at once (each with its own data folder): the one that renamed first made it
    if (!existsSync(folder)) throw error;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  // templates of earlier migration sets (and the tarballs of earlier builds) are never used again
  for (const name of readdirSync(path.dirname(folder))) if (name !== path.basename(folder) && !name.endsWith('.partial')) rmSync(path.join(path.dirname(folder), name), { recursive: true, force: true });
  return folder;
}

/**
 * A copy of a cluster folder (files and folders only): the folders made first, then the files copied a few at a time
 * in the thread pool, so that the server's main thread goes on loading the app's modules meanwhile (a synchronous copy
 * held it for 0.2–1.3 s). The files are taken from each folder in turn (one of base/1, then one of base/4, …), so the
 * copies running at once create files in different folders: a folder takes one new file at a time, and the cluster's
 * ~1 400 files are nearly all in three database folders. Measured on this machine, four runs each after a `sync`:
 * 0.95–1.05 s in walk order, 0.68–0.77 s taken in turn (2026-12-04; 0.13–0.2 s on an earlier day's faster disk).
 */
export async function copyFolder(from: string, to: string, width = 8): Promise<void> {
  const folders: [string, string][][] = [];
  const walk = (source: string, target: string) => {
    mkdirSync(target);
    const files: [string, string][] = [];
    folders.push(files);
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      const pair: [string, string] = [path.join(source, entry.name), path.join(target, entry.name)];
      if (entry.isDirectory()) walk(...pair);
      else files.push(pair);
    }
  };
  walk(from, to);
  const files: [string, string][] = [];
  for (let i = 0, longest = Math.max(...folders.map((f) => f.length)); i < longest; i++) for (const folder of folders) if (i < folder.length) files.push(folder[i]!);
  let next = 0;
  const copier = async () => {
    while (next < files.length) {
      const [source, target] = files[next++]!;
      await copyFile(source, target);
    }
  };
  await Promise.all(Array.from({ length: width }, copier));
}
