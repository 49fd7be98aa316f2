import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import type { StatsScope } from '../stats/stats.repo.js';
import { BOOKED_STATUSES, statusIn } from './lifecycle.js';

/*
 * Aggregates of equipment use: the monthly statement of a company, and utilisation by instrument, user category and
 * park. Periods are [start, end) instants (Shanghai days); a booking counts in the period of its booked start.
 */

async function query<T>(ex: Executor, q: SQL): Promise<T[]> {
  return rowsOf<T>(await ex.execute(q));
}

const inPeriod = (start: Date, end: Date) => sql`eb.starts_at >= ${start.toISOString()}::timestamptz AND eb.starts_at < ${end.toISOString()}::timestamptz`;

function scopeOf(scope: StatsScope): SQL {
  switch (scope.kind) {
    case 'platform':
      return sql`TRUE`;
    case 'node':
      return sql`eb.node_id = ${scope.nodeId}`;
    case 'park':
      return sql`eb.park_id = ${scope.parkId}`;
  }
}

const BOOKED = statusIn(sql`eb.status`, BOOKED_STATUSES);
const HOURS = (from: SQL, to: SQL) => sql`extract(epoch FROM (${to} - ${from})) / 3600.0`;

export interface StatementLine {
  number: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
  mode: string;
  userCategory: string;
  equipmentName: string;
  equipmentCode: string;
  nodeName: string;
  checkedInAt: Date | null;
  checkedOutAt: Date | null;
  chargedMinutes: number | null;
  rateCents: number;
  amountCents: number | null;
  billing: string;
  purpose: string;
}

/** The lines of a company's statement: used (checked out) and no-show bookings that started in the period. */
export async function statementLines(ex: Executor, enterpriseId: number, start: Date, end: Date, nodeId: number | null): Promise<StatementLine[]> {
  const rows = await query<StatementLine & { startsAt: string; endsAt: string; checkedInAt: string | null; checkedOutAt: string | null }>(
    ex,
    sql`SELECT eb.number, eb.starts_at AS "startsAt", eb.ends_at AS "endsAt", eb.status, eb.mode, eb.user_category AS "userCategory",
               e.name AS "equipmentName", e.code AS "equipmentCode", n.short_name AS "nodeName",
               eb.checked_in_at AS "checkedInAt", eb.checked_out_at AS "checkedOutAt", eb.charged_minutes AS "chargedMinutes",
               eb.rate_cents AS "rateCents", eb.amount_cents AS "amountCents", eb.billing, eb.purpose
        FROM equipment_bookings eb
        JOIN equipment e ON e.id = eb.equipment_id
        JOIN nodes n ON n.id = eb.node_id
        WHERE eb.enterprise_id = ${enterpriseId} AND eb.status IN ('checked_out', 'no_show') AND ${inPeriod(start, end)}
              ${nodeId === null ? sql`` : sql`AND eb.node_id = ${nodeId}`}
        ORDER BY eb.starts_at, eb.number`,
  );
  // node-postgres returns timestamps as Date, PGlite too; strings only if a driver changes: normalise.
  const asDate = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v : new Date(v));
  return rows.map((r) => ({ ...r, startsAt: asDate(r.startsAt)!, endsAt: asDate(r.endsAt)!, checkedInAt: asDate(r.checkedInAt), checkedOutAt: asDate(r.checkedOutAt) }));
}

/** Companies with statement lines in the period, within a scope (a node's staff: only those that used the node). */
export async function statementCompanies(ex: Executor, start: Date, end: Date, scope: StatsScope) {
  return query<{ id: number; name: string; lines: number; amountCents: number }>(
    ex,
    sql`SELECT c.id, c.name, count(*)::int AS lines, coalesce(sum(eb.amount_cents), 0)::int AS "amountCents"
        FROM equipment_bookings eb JOIN enterprises c ON c.id = eb.enterprise_id
        WHERE eb.status IN ('checked_out', 'no_show') AND ${inPeriod(start, end)} AND ${scopeOf(scope)}
        GROUP BY c.id, c.name ORDER BY c.name`,
  );
}

/** Whether a company ever booked equipment at a node (a node's staff may read only such companies' statements). */
export async function usedNode(ex: Executor, enterpriseId: number, nodeId: number): Promise<boolean> {
  const [row] = await query<{ n: number }>(ex, sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM equipment_bookings WHERE enterprise_id = ${enterpriseId} AND node_id = ${nodeId} LIMIT 1) x`);
  return (row?.n ?? 0) > 0;
}

export interface InstrumentFigures {
  equipmentId: number;
  bookings: number;
  bookedHours: number;
  usedHours: number;
  noShows: number;
  amountCents: number;
}

/** Per instrument: confirmed bookings, booked and used hours, no-shows and billed amount of the period. */
export async function instrumentFigures(ex: Executor, start: Date, end: Date, scope: StatsScope): Promise<InstrumentFigures[]> {
  return query<InstrumentFigures>(
    ex,
    sql`SELECT eb.equipment_id AS "equipmentId",
               count(*) FILTER (WHERE ${BOOKED})::int AS bookings,
               coalesce(sum(${HOURS(sql`eb.starts_at`, sql`eb.ends_at`)}) FILTER (WHERE ${BOOKED}), 0)::float8 AS "bookedHours",
               coalesce(sum(${HOURS(sql`eb.checked_in_at`, sql`eb.checked_out_at`)}) FILTER (WHERE eb.status = 'checked_out'), 0)::float8 AS "usedHours",
               count(*) FILTER (WHERE eb.status = 'no_show')::int AS "noShows",
               coalesce(sum(eb.amount_cents) FILTER (WHERE eb.status = 'checked_out'), 0)::int AS "amountCents"
        FROM equipment_bookings eb
        WHERE eb.kind = 'booking' AND ${inPeriod(start, end)} AND ${scopeOf(scope)}
        GROUP BY eb.equipment_id`,
  );
}

/** Maintenance blocks overlapping the period (their hours inside opening hours are taken off the open hours). */
export async function maintenanceBlocks(ex: Executor, start: Date, end: Date) {
  return query<{ equipmentId: number; startsAt: Date; endsAt: Date }>(
    ex,
    sql`SELECT eb.equipment_id AS "equipmentId", eb.starts_at AS "startsAt", eb.ends_at AS "endsAt" FROM equipment_bookings eb
        WHERE eb.kind = 'maintenance' AND eb.status = 'approved'
          AND eb.starts_at < ${end.toISOString()}::timestamptz AND eb.ends_at > ${start.toISOString()}::timestamptz`,
  );
}

/** Bookings, booked and used hours by a grouping column: the user category, or the company's park. */
export async function figuresBy(ex: Executor, start: Date, end: Date, scope: StatsScope, by: 'category' | 'park') {
  const key = by === 'category' ? sql`eb.user_category` : sql`eb.park_id`;
  return query<{ key: string | number | null; bookings: number; companies: number; bookedHours: number; usedHours: number; amountCents: number }>(
    ex,
    sql`SELECT g.key, sum(g.bookings)::int AS bookings, count(*)::int AS companies, sum(g.booked)::float8 AS "bookedHours", sum(g.used)::float8 AS "usedHours", sum(g.amount)::int AS "amountCents"
        FROM (SELECT ${key} AS key, eb.enterprise_id,
                     count(*) FILTER (WHERE ${BOOKED}) AS bookings,
                     coalesce(sum(${HOURS(sql`eb.starts_at`, sql`eb.ends_at`)}) FILTER (WHERE ${BOOKED}), 0) AS booked,
                     coalesce(sum(${HOURS(sql`eb.checked_in_at`, sql`eb.checked_out_at`)}) FILTER (WHERE eb.status = 'checked_out'), 0) AS used,
                     coalesce(sum(eb.amount_cents) FILTER (WHERE eb.status = 'checked_out'), 0) AS amount
              FROM equipment_bookings eb
              WHERE eb.kind = 'booking' AND ${inPeriod(start, end)} AND ${scopeOf(scope)}
              GROUP BY 1, eb.enterprise_id) g
        GROUP BY g.key ORDER BY bookings DESC`,
  );
}

/** Confirmed equipment bookings by month of start (open data). */
export async function bookingsByMonth(ex: Executor, start: Date, end: Date) {
  return query<{ month: string; bookings: number; bookedHours: number; usedHours: number }>(
    ex,
    sql`SELECT to_char(eb.starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
               count(*) FILTER (WHERE ${BOOKED})::int AS bookings,
               coalesce(sum(${HOURS(sql`eb.starts_at`, sql`eb.ends_at`)}) FILTER (WHERE ${BOOKED}), 0)::float8 AS "bookedHours",
               coalesce(sum(${HOURS(sql`eb.checked_in_at`, sql`eb.checked_out_at`)}) FILTER (WHERE eb.status = 'checked_out'), 0)::float8 AS "usedHours"
        FROM equipment_bookings eb
        WHERE eb.kind = 'booking' AND ${inPeriod(start, end)}
        GROUP BY 1 ORDER BY 1`,
  );
}
