import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { seedReference } from '../../src/seed/reference.js';
import { seedBundles } from '../../src/seed/chains.js';

/**
 * Every test file gets its own clean database with the migrations applied and the reference catalog seeded
 * (no demo accounts, never the demo data folder):
 *  - default: an in-memory PGlite loaded from a template dumped once per test run (initdb + migrations once);
 *  - TEST_DATABASE_URL=postgres://…: a new database on that server cloned from a template database, dropped afterwards.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const onPostgresServer = testDatabaseUrl !== undefined;

let pgliteTemplateDump: Promise<Blob> | undefined;
let pgTemplateName: Promise<string> | undefined;
const createdDatabases: string[] = [];

async function buildPgliteTemplate(): Promise<Blob> {
  const database = await openDatabase({ kind: 'pglite-memory' });
  await runMigrations(database);
  await seedReference(database.db);
  await seedBundles(database.db);
  const dump = await database.pglite!.dumpDataDir('none');
  await database.close();
  return dump;
}

function urlWithDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on the server's maintenance connection (CREATE/DROP DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function buildPgTemplate(): Promise<string> {
  const name = `nqi_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  createdDatabases.push(name);
  const database = await openDatabase({ kind: 'pg', url: urlWithDatabase(testDatabaseUrl!, name), poolMax: 2 });
  try {
    await runMigrations(database);
    await seedReference(database.db);
    await seedBundles(database.db);
  } finally {
    await database.close();
  }
  return name;
}

/**
 * Builds the run's template (PGlite dump or PostgreSQL template database) once. Called by mocha's global setup
 * (test/support/hooks.ts) before any test file runs, so no file's before-all hook pays for initdb and migrations.
 */
export async function prepareTemplate(): Promise<void> {
  if (onPostgresServer) {
    pgTemplateName ??= buildPgTemplate();
    await pgTemplateName;
  } else {
    pgliteTemplateDump ??= buildPgliteTemplate();
    await pgliteTemplateDump;
  }
}

/** The PGlite template (a dump of a migrated, seeded data folder), e.g. to start a PGlite data folder from it. */
export async function pgliteTemplate(): Promise<Blob> {
  pgliteTemplateDump ??= buildPgliteTemplate();
  return pgliteTemplateDump;
}

/** A new empty database on the PostgreSQL server (no tables), dropped after the run; its URL. */
export async function createEmptyPgDatabase(): Promise<string> {
  const name = `nqi_e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  createdDatabases.push(name);
  return urlWithDatabase(testDatabaseUrl!, name);
}

/** Like createTestDatabase on the PostgreSQL server, with the database's URL (for tools such as pg_dump). */
export async function createTestPgDatabaseWithUrl(): Promise<{ database: Database; url: string }> {
  pgTemplateName ??= buildPgTemplate();
  const template = await pgTemplateName;
  const name = `nqi_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  createdDatabases.push(name);
  const url = urlWithDatabase(testDatabaseUrl!, name);
  return { database: await openDatabase({ kind: 'pg', url, poolMax: 10 }), url };
}

export async function createTestDatabase(opts: { poolMax?: number } = {}): Promise<Database> {
  if (!onPostgresServer) {
    // normally built by the global setup already; the fallback keeps a file runnable on its own (e.g. from an editor)
    return openDatabase({ kind: 'pglite-memory', loadDataDir: await pgliteTemplate() });
  }
  pgTemplateName ??= buildPgTemplate();
  const template = await pgTemplateName;
  const name = `nqi_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  createdDatabases.push(name);
  const database = await openDatabase({ kind: 'pg', url: urlWithDatabase(testDatabaseUrl!, name), poolMax: opts.poolMax ?? 20 });
  const close = database.close;
  database.close = async () => {
    await close();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  };
  return database;
}

/** Drops whatever databases this process created on the server (template included). */
export async function dropCreatedDatabases(): Promise<void> {
  if (!onPostgresServer) return;
  for (const name of createdDatabases.reverse()) {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
}
