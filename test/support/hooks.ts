import { dropCreatedDatabases, prepareTemplate } from './db.js';

/**
 * Mocha's global setup runs once, before the first test file: the shared database template (PGlite dump, or the
 * PostgreSQL template database) is built here, so no test file's before-all hook pays for initdb and migrations —
 * on a busy machine that hook used to run into its timeout on whichever file came first.
 */
export async function mochaGlobalSetup(): Promise<void> {
  await prepareTemplate();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await dropCreatedDatabases();
}
