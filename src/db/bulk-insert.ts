import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { rowsOf, type Executor } from './client.js';

/**
 * What to do when a row meets an existing one on a unique key: nothing, or take the new row's values of some columns
 * ('all': every column the rows set, except the key and those to `keep`).
 */
export type OnConflict = { target: PgColumn[]; update: PgColumn[] | 'all'; keep?: PgColumn[] } | { target?: PgColumn[]; doNothing: true };

export interface InsertRowsOptions<R extends Record<string, PgColumn>> {
  onConflict?: OnConflict;
  /** Columns to give back for each row written, in the order of the rows. */
  returning?: R;
  /** Rows per statement (the rows travel as one JSON parameter). */
  chunk?: number;
}

type Returned<R extends Record<string, PgColumn>> = { [K in keyof R]: R[K]['_']['data'] };

/**
 * Many rows in one statement with one parameter: the rows as a JSON array that PostgreSQL turns into the table's row
 * type (`jsonb_populate_recordset`). Drizzle's multi-row VALUES binds and checks one parameter per cell — a first start
 * spent more time building those statements than PostgreSQL spent running them. Values go through each column's own
 * mapping to the driver (dates to ISO text, numerics to text), so they mean what they mean in Drizzle's inserts; a
 * column left out of a row takes the column's default, as in Drizzle. Rows are written in the order given and
 * RETURNING follows that order (WITH ORDINALITY … ORDER BY); with ON CONFLICT DO NOTHING the rows skipped give nothing back.
 */
export async function insertRows<T extends PgTable, R extends Record<string, PgColumn> = Record<string, never>>(
  ex: Executor,
  table: T,
  rows: T['$inferInsert'][],
  options: InsertRowsOptions<R> = {},
): Promise<Returned<R>[]> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const chunk = options.chunk ?? 1000;
  const returned: Returned<R>[] = [];
  const records = rows.map((row) => recordOf(columns, row as Record<string, unknown>));
  // Rows that set the same columns share a statement; runs of them in the order given keep the rows' order (ids).
  for (let start = 0; start < records.length; ) {
    const signature = Object.keys(records[start]!).join(',');
    let end = start + 1;
    while (end < records.length && end - start < chunk && Object.keys(records[end]!).join(',') === signature) end++;
    const result = await ex.execute(insertStatement(table, signature === '' ? [] : signature.split(','), JSON.stringify(records.slice(start, end)), options));
    if (options.returning) for (const raw of rowsOf<Record<string, unknown>>(result)) returned.push(fromDriver(options.returning, raw));
    start = end;
  }
  return returned;
}

/**
 * A row as PostgreSQL's JSON record: a value for every column that has no default (null when the row leaves it out,
 * as Drizzle's DEFAULT means there), so that rows differing only in optional fields share a statement; a column with
 * a default is left out when the row leaves it out, and takes its default.
 */
function recordOf(columns: Record<string, PgColumn>, row: Record<string, unknown>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(columns)) {
    let value = row[key];
    if (value === undefined) value = column.defaultFn?.() ?? column.onUpdateFn?.();
    if (value === undefined && (column.hasDefault || column.generated || column.generatedIdentity)) continue; // serials, identities and defaults
    record[column.name] = value === undefined ? null : jsonValueOf(column, value);
  }
  return record;
}

function insertStatement<R extends Record<string, PgColumn>>(table: PgTable, names: string[], json: string, options: InsertRowsOptions<R>): SQL {
  const list = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  );
  const picked = sql.join(
    names.map((n) => sql`r.${sql.identifier(n)}`),
    sql`, `,
  );
  const insert = names.length
    ? sql`INSERT INTO ${table} (${list}) SELECT ${picked} FROM jsonb_populate_recordset(NULL::${table}, ${json}::jsonb) WITH ORDINALITY AS r ORDER BY r.ordinality`
    : sql`INSERT INTO ${table} DEFAULT VALUES`;
  const parts = [insert];
  const conflict = options.onConflict;
  if (conflict) {
    const target = conflict.target?.length
      ? sql` (${sql.join(
          conflict.target.map((c) => sql.identifier(c.name)),
          sql`, `,
        )})`
      : sql``;
    parts.push(
      'doNothing' in conflict
        ? sql` ON CONFLICT${target} DO NOTHING`
        : sql` ON CONFLICT${target} DO UPDATE SET ${sql.join(
            updatedNames(conflict, names).map((n) => sql`${sql.identifier(n)} = EXCLUDED.${sql.identifier(n)}`),
            sql`, `,
          )}`,
    );
  }
  if (options.returning) {
    parts.push(
      sql` RETURNING ${sql.join(
        Object.values(options.returning).map((c) => sql.identifier(c.name)),
        sql`, `,
      )}`,
    );
  }
  return sql.join(parts);
}

function updatedNames(conflict: { target: PgColumn[]; update: PgColumn[] | 'all'; keep?: PgColumn[] }, names: string[]): string[] {
  if (conflict.update !== 'all') return conflict.update.map((c) => c.name);
  const fixed = new Set([...conflict.target, ...(conflict.keep ?? [])].map((c) => c.name));
  return names.filter((n) => !fixed.has(n));
}

/** A value as the JSON that PostgreSQL reads into the column: JSON columns as themselves, bytes as hex, the rest as Drizzle sends them. */
function jsonValueOf(column: PgColumn, value: unknown): unknown {
  if (value === null) return null;
  if (column.columnType === 'PgJson' || column.columnType === 'PgJsonb') return value;
  const driverValue = column.mapToDriverValue(value);
  if (driverValue instanceof Uint8Array) return `\\x${Buffer.from(driverValue).toString('hex')}`;
  return driverValue;
}

function fromDriver<R extends Record<string, PgColumn>>(returning: R, raw: Record<string, unknown>): Returned<R> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(returning)) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as Returned<R>;
}
