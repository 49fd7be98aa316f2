import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { fromRoot } from '../shared/paths.js';
import type { Database, Schema } from './client.js';

const MIGRATIONS_LOCK_KEY = 727_001; // arbitrary constant: serialises migrations across app processes

/** Applies the committed drizzle-kit migrations (drizzle/). Safe to call from several processes at once. */
export async function runMigrations(database: Database): Promise<void> {
  const migrationsFolder = fromRoot('drizzle');
  if (database.driver === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase<Schema>, { migrationsFolder });
    return;
  }
  const pool = database.pool!;
  const lockClient = await pool.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK_KEY]);
    await migratePg(database.db as unknown as NodePgDatabase<Schema>, { migrationsFolder });
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK_KEY]).catch(() => undefined);
    lockClient.release();
  }
}
