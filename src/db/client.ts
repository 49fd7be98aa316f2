import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { PGLITE_OPTIONS } from './pglite-options.js';
import type { RemotePGlite } from './pglite-remote.js';
import { openPgliteFolder, type OpenedPgliteFolder } from './pglite-folder.js';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';
import type { DataDirLock } from './data-dir-lock.js';

export type Schema = typeof schema;
/** The one database type every repository is written against; both drivers produce it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A repository function takes either the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  driver: 'pglite' | 'pg';
  /** Answers when the database can run a query; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Only for the node-postgres driver: the pool, for advisory locks and stats. */
  pool?: pg.Pool;
  /** The replica's handle when DATABASE_READ_URL is set (src/db/read-replica.ts decides which reads use it). */
  replicaDb?: Db;
  /** Only with DATABASE_READ_URL: the replica's pool. */
  replicaPool?: pg.Pool;
  /** Only for PGlite: the embedded instance (tests dump it as a template). */
  pglite?: PGlite;
}

export type DatabaseOptions =
  | { kind: 'pg'; url: string; poolMax: number; readUrl?: string }
  /** inWorker: PGlite runs in a worker thread (src/db/pglite-remote.ts), the server's default; onLost: that thread died. */
  | { kind: 'pglite-dir'; dataDir: string; inWorker?: boolean; onLost?: (err: Error) => void }
  | { kind: 'pglite-memory'; loadDataDir?: Blob };

// node-postgres returns int8/numeric as strings by default; counts (bigint) are parsed to numbers,
// which is safe for every count this platform can reach.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));


export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === 'pg') {
    const poolOf = (url: string) => {
      const pool = new pg.Pool({ connectionString: url, max: options.poolMax, connectionTimeoutMillis: 5000 });
      // An idle client that loses its connection emits 'error'; without a listener the process would exit.
      pool.on('error', () => undefined);
      return pool;
    };
    const pool = poolOf(options.url);
    const replicaPool = options.readUrl ? poolOf(options.readUrl) : undefined;
    return {
      db: drizzlePg({ client: pool, schema }) as unknown as Db,
      ...(replicaPool ? { replicaPool, replicaDb: drizzlePg({ client: replicaPool, schema }) as unknown as Db } : {}),
      driver: 'pg',
      pool,
      ping: async () => {
        await pool.query('SELECT 1');
      },
      close: async () => {
        await Promise.all([pool.end(), replicaPool?.end()]);
      },
    };
  }

  if (options.kind === 'pglite-dir') return databaseOnPgliteFolder(await openPgliteFolder(options.dataDir, options));
  return databaseOnPglite(await PGlite.create({ ...PGLITE_OPTIONS, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) }));
}

/** The database on a data folder opened by `openPgliteFolder` (the server opens it before loading this module). */
export function databaseOnPgliteFolder(folder: OpenedPgliteFolder): Database {
  return databaseOnPglite(folder.client, folder.lock);
}

function databaseOnPglite(client: PGlite | RemotePGlite, lock?: DataDirLock): Database {
  // Drizzle's PGlite driver calls only query and transaction, which RemotePGlite provides with the same meaning.
  const db = drizzlePglite({ client: client as PGlite, schema }) as unknown as Db;
  let closed = false;
  return {
    db,
    driver: 'pglite',
    ...(client instanceof PGlite ? { pglite: client } : {}),
    ping: async () => {
      if (closed) throw new Error('database closed');
      await db.execute(sql`SELECT 1`);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Rows of a raw `db.execute(sql…)` result; both drivers return them under `.rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** PostgreSQL error code of a driver error (both drivers expose `.code`; Drizzle wraps it in `.cause`). */
export function pgErrorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Name of the violated constraint of a unique-violation error, when the driver reports it. */
export function pgConstraint(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const c = (current as { constraint?: unknown }).constraint;
    if (typeof c === 'string') return c;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
/** An exclusion constraint refused the row (equipment time ranges that overlap). */
export const EXCLUSION_VIOLATION = '23P01';
