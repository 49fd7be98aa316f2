import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { copyFolder, existingPgliteTemplate } from './pglite-template.js';
import { RemotePGlite } from './pglite-remote.js';

/** An embedded database opened on its data folder, with the folder's lock held until it is closed. */
export interface OpenedPgliteFolder {
  client: PGlite | RemotePGlite;
  lock: DataDirLock;
}

/**
 * Opens PGlite on a data folder: takes the folder's lock, makes a new cluster from the template, starts PostgreSQL
 * (in its own thread with `inWorker`). This module loads nothing heavy — no Drizzle, no drivers — so the server
 * starts the database thread first and loads the rest of its code while PostgreSQL boots (src/server.ts).
 */
export async function openPgliteFolder(dataDir: string, opts: { inWorker?: boolean; onLost?: (err: Error) => void } = {}): Promise<OpenedPgliteFolder> {
  mkdirSync(dataDir, { recursive: true });
  const lock = acquireDataDirLock(dataDir);
  try {
    // PGlite creates its own folder but not its parents; DATA_DIR exists by now.
    const pgdata = path.join(dataDir, 'pgdata');
    if (!existsSync(pgdata)) await createFromTemplate(pgdata);
    if (opts.inWorker) return { client: await RemotePGlite.open(pgdata, opts.onLost), lock };
    const [{ PGlite }, { PGLITE_OPTIONS }] = await Promise.all([import('@electric-sql/pglite'), import('./pglite-options.js')]);
    return { client: await PGlite.create({ dataDir: pgdata, ...PGLITE_OPTIONS }), lock };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * A new data folder's cluster copied from the template of the current migrations (src/db/pglite-template.ts), when
 * there is one; otherwise PGlite runs initdb on open. Copied beside the folder and renamed into place, so a start
 * interrupted halfway leaves no half-made cluster to resume from.
 */
async function createFromTemplate(pgdata: string): Promise<void> {
  const template = existingPgliteTemplate();
  if (!template) return;
  const staging = `${pgdata}.new-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await copyFolder(template, staging);
  renameSync(staging, pgdata);
}
