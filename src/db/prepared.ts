import type { Db, Executor } from './client.js';
import { namedStatementsOf } from './pglite-named.js';

const byDb = new WeakMap<object, Map<string, unknown>>();

/**
 * A named prepared statement for a query run on (almost) every request: PostgreSQL plans it once per connection
 * instead of on every call — for the multi-table reads of a page, planning costs more than executing.
 * Inside a transaction the caller runs the plain query instead (a prepared statement belongs to the pool's
 * connections, not to the transaction's).
 */
function prepared<T>(ex: Executor, name: string, build: (db: Db) => T): T | undefined {
  if ('rollback' in ex) return undefined; // a transaction
  let statements = byDb.get(ex);
  if (!statements) {
    statements = new Map();
    byDb.set(ex, statements);
  }
  let statement = statements.get(name) as T | undefined;
  if (!statement) {
    statement = build(ex);
    statements.set(name, statement);
  }
  return statement;
}

interface Preparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
  execute(values?: Record<string, unknown>): Promise<R>;
}

/**
 * Runs the query `build` makes (with `sql.placeholder`s) as the named prepared statement, or as a plain query inside
 * a transaction, with the given placeholder values.
 */
export function runPrepared<R>(ex: Executor, name: string, build: (db: Executor) => Preparable<R>, values: Record<string, unknown>): Promise<R> {
  const statement = prepared(ex, name, (db) => {
    const query = build(db).prepare(name);
    // On the embedded database Drizzle's "prepared" query is re-parsed and re-planned each time: give it a client
    // that runs it as a named statement (src/db/pglite-named.ts).
    const named = namedStatementsOf((db as { $client?: unknown }).$client);
    if (named) (query as unknown as { client: unknown }).client = named.clientFor(name);
    return query;
  });
  return statement ? statement.execute(values) : build(ex).execute(values);
}
