import { sql, type SQL } from 'drizzle-orm';
import { CLOSED_STATUSES, OPEN_STATUSES, statusIn, type BookingStatus } from '../bookings/lifecycle.js';
import { rowsOf, type Executor } from '../db/client.js';
import { dayjs, TZ } from '../shared/time.js';

/**
 * Aggregate queries behind the dashboards. Every figure of a period counts bookings *submitted* in the period
 * (created_at, Shanghai days). Each query is one statement over `bookings` with the scope and period in its WHERE;
 * casts make both drivers return plain numbers.
 */
export type StatsScope = { kind: 'platform' } | { kind: 'park'; parkId: number } | { kind: 'node'; nodeId: number };

export interface Period {
  from: string;
  to: string;
  /** Instants bounding the period in Shanghai time: [start, end). */
  start: Date;
  end: Date;
}

/* States through the lifecycle's groupings (the one place they are spelled out), on the bookings alias `b`. */
const STATUS = sql`b.status`;
const OPEN = statusIn(STATUS, OPEN_STATUSES);
const CLOSED = statusIn(STATUS, CLOSED_STATUSES);
const statusIs = (status: BookingStatus) => statusIn(STATUS, [status]);

function scopeOf(scope: StatsScope, alias = 'b'): SQL {
  const a = sql.raw(alias);
  switch (scope.kind) {
    case 'platform':
      return sql`TRUE`;
    case 'park':
      return sql`${a}.park_id = ${scope.parkId}`;
    case 'node':
      return sql`${a}.node_id = ${scope.nodeId}`;
  }
}

function inPeriod(period: Period, alias = 'b'): SQL {
  const a = sql.raw(alias);
  return sql`${a}.created_at >= ${period.start.toISOString()}::timestamptz AND ${a}.created_at < ${period.end.toISOString()}::timestamptz`;
}

async function query<T>(ex: Executor, q: SQL): Promise<T[]> {
  return rowsOf<T>(await ex.execute(q));
}

export interface Summary {
  total: number;
  completed: number;
  cancelled: number;
  rejected: number;
  open: number;
  reported: number;
  onTime: number;
  avgTurnaround: number | null;
  p90Turnaround: number | null;
  enterprises: number;
}

/**
 * Totals of the period. Split in three aggregations PostgreSQL can run in parallel workers (an ordered-set aggregate
 * or a DISTINCT aggregate would force a single process): counts, the distribution of turnaround days (the p90 is
 * read from it exactly), and the distinct companies.
 */
export async function summary(ex: Executor, scope: StatsScope, period: Period): Promise<Summary> {
  const [counts] = await query<Omit<Summary, 'p90Turnaround' | 'enterprises'>>(
    ex,
    sql`SELECT count(*)::int AS total,
               count(*) FILTER (WHERE ${statusIs('completed')})::int AS completed,
               count(*) FILTER (WHERE ${statusIs('cancelled')})::int AS cancelled,
               count(*) FILTER (WHERE ${statusIs('rejected')})::int AS rejected,
               count(*) FILTER (WHERE ${OPEN})::int AS open,
               count(b.turnaround_days)::int AS reported,
               count(*) FILTER (WHERE b.on_time)::int AS "onTime",
               avg(b.turnaround_days)::float8 AS "avgTurnaround"
        FROM bookings b
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)}`,
  );
  const histogram = await query<{ days: number; n: number }>(
    ex,
    sql`SELECT b.turnaround_days AS days, count(*)::int AS n FROM bookings b
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)} AND b.turnaround_days IS NOT NULL
        GROUP BY b.turnaround_days ORDER BY b.turnaround_days`,
  );
  const [companies] = await query<{ n: number }>(
    ex,
    sql`SELECT count(*)::int AS n FROM (SELECT b.enterprise_id FROM bookings b WHERE ${scopeOf(scope)} AND ${inPeriod(period)} GROUP BY b.enterprise_id) e`,
  );
  return { ...counts!, p90Turnaround: percentileOf(histogram, 0.9), enterprises: companies!.n };
}

/** percentile_cont (linear interpolation between closest ranks) over a histogram of whole numbers. */
export function percentileOf(histogram: { days: number; n: number }[], p: number): number | null {
  const total = histogram.reduce((s, h) => s + h.n, 0);
  if (total === 0) return null;
  const rank = p * (total - 1); // 0-based position in the sorted values
  const valueAt = (position: number) => {
    let seen = 0;
    for (const h of histogram) {
      seen += h.n;
      if (position < seen) return h.days;
    }
    return histogram[histogram.length - 1]!.days;
  };
  const lower = Math.floor(rank);
  const fraction = rank - lower;
  const a = valueAt(lower);
  return fraction === 0 ? a : a + (valueAt(lower + 1) - a) * fraction;
}

/** Month boundaries (Shanghai) as instants: bookings are bucketed by comparison, not by a time-zone conversion per row. */
function monthStarts(period: Period): Date[] {
  const starts: Date[] = [];
  for (let m = dayjs.tz(period.from, TZ).startOf('month'); m.toDate() < period.end; m = m.add(1, 'month')) starts.push(m.toDate());
  return starts;
}

export async function byMonth(ex: Executor, scope: StatsScope, period: Period) {
  const starts = monthStarts(period);
  const bounds = sql.join(starts.map((d) => sql`${d.toISOString()}::timestamptz`), sql`, `);
  const rows = await query<{ bucket: number; total: number; completed: number }>(
    ex,
    sql`SELECT width_bucket(b.created_at, ARRAY[${bounds}]::timestamptz[]) AS bucket,
               count(*)::int AS total,
               count(*) FILTER (WHERE ${statusIs('completed')})::int AS completed
        FROM bookings b
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)}
        GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => ({ month: dayjs(starts[r.bucket - 1]).tz(TZ).format('YYYY-MM'), total: r.total, completed: r.completed }));
}

export async function byCategory(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ code: string; name: string; total: number; completed: number }>(
    ex,
    sql`SELECT c.code, c.name, count(b.id)::int AS total, count(b.id) FILTER (WHERE ${statusIs('completed')})::int AS completed
        FROM bookings b
        JOIN services s ON s.id = b.service_id
        JOIN service_categories c ON c.code = s.category_code
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)}
        GROUP BY c.code, c.name, c.sort_order ORDER BY c.sort_order`,
  );
}

/** Bookings per node by the channel they came through (online, the walk-in window, the API). */
export async function byChannel(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ nodeId: number; name: string; online: number; window: number; api: number; total: number }>(
    ex,
    sql`SELECT n.id AS "nodeId", n.name, count(*) FILTER (WHERE b.channel = 'online')::int AS online,
               count(*) FILTER (WHERE b.channel = 'window')::int AS "window", count(*) FILTER (WHERE b.channel = 'api')::int AS api, count(*)::int AS total
        FROM bookings b JOIN nodes n ON n.id = b.node_id
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)}
        GROUP BY n.id, n.name, n.sort_order ORDER BY n.sort_order`,
  );
}

export async function byPark(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ parkId: number | null; name: string; total: number; enterprises: number }>(
    ex,
    // Two-level grouping instead of count(DISTINCT …), so the inner aggregation can run in parallel.
    sql`SELECT g.park_id AS "parkId", coalesce(p.name, '不在园区') AS name, sum(g.n)::int AS total, count(*)::int AS enterprises
        FROM (SELECT b.park_id, b.enterprise_id, count(*) AS n FROM bookings b
              WHERE ${scopeOf(scope)} AND ${inPeriod(period)} GROUP BY b.park_id, b.enterprise_id) g
        LEFT JOIN parks p ON p.id = g.park_id
        GROUP BY g.park_id, p.name ORDER BY total DESC, name`,
  );
}

export async function topServices(ex: Executor, scope: StatsScope, period: Period, limit = 10) {
  return query<{ code: string; name: string; total: number }>(
    ex,
    sql`SELECT s.code, s.name, t.total
        FROM (SELECT b.service_id, count(*)::int AS total FROM bookings b
              WHERE ${scopeOf(scope)} AND ${inPeriod(period)} GROUP BY b.service_id ORDER BY total DESC, b.service_id LIMIT ${limit}) t
        JOIN services s ON s.id = t.service_id
        ORDER BY t.total DESC, s.code`,
  );
}

/** Per node of the scope: the period's figures (every node listed, also those without bookings). */
export async function nodeFigures(ex: Executor, scope: StatsScope, period: Period) {
  const nodeFilter = scope.kind === 'node' ? sql`n.id = ${scope.nodeId}` : sql`TRUE`;
  const bookingFilter = scope.kind === 'platform' ? sql`` : sql`AND ${scopeOf(scope)}`;
  return query<{
    nodeId: number;
    name: string;
    shortName: string;
    kind: string;
    active: boolean;
    total: number;
    completed: number;
    closedWithout: number;
    reported: number;
    onTime: number;
    avgTurnaround: number | null;
    evaluations: number;
    satisfaction: number | null;
  }>(
    ex,
    sql`SELECT n.id AS "nodeId", n.name, n.short_name AS "shortName", n.kind, n.active,
               coalesce(f.total, 0)::int AS total, coalesce(f.completed, 0)::int AS completed,
               coalesce(f.closed_without, 0)::int AS "closedWithout", coalesce(f.reported, 0)::int AS reported,
               coalesce(f.on_time, 0)::int AS "onTime", f.avg_turnaround::float8 AS "avgTurnaround",
               coalesce(f.evaluations, 0)::int AS evaluations, f.satisfaction::float8 AS satisfaction
        FROM nodes n
        LEFT JOIN (
          SELECT b.node_id, count(*) AS total,
                 count(*) FILTER (WHERE ${statusIs('completed')}) AS completed,
                 count(*) FILTER (WHERE ${CLOSED}) AS closed_without,
                 count(b.turnaround_days) AS reported,
                 count(*) FILTER (WHERE b.on_time) AS on_time,
                 avg(b.turnaround_days) AS avg_turnaround,
                 count(b.evaluation_level) AS evaluations,
                 avg((b.evaluation_level - 1) * 25) AS satisfaction
          FROM bookings b WHERE ${inPeriod(period)} ${bookingFilter}
          GROUP BY b.node_id
        ) f ON f.node_id = n.id

        WHERE ${nodeFilter}
        ORDER BY n.sort_order, n.id`,
  );
}

/** Satisfaction of the scope's bookings of the period: five levels mapped to 0, 25, 50, 75, 100 (level kept on the booking). */
export async function satisfaction(ex: Executor, scope: StatsScope, period: Period) {
  const [row] = await query<{ evaluations: number; score: number | null; levels: number[] }>(
    ex,
    sql`SELECT count(b.evaluation_level)::int AS evaluations, avg((b.evaluation_level - 1) * 25)::float8 AS score,
               ARRAY[count(*) FILTER (WHERE b.evaluation_level = 5), count(*) FILTER (WHERE b.evaluation_level = 4),
                     count(*) FILTER (WHERE b.evaluation_level = 3), count(*) FILTER (WHERE b.evaluation_level = 2),
                     count(*) FILTER (WHERE b.evaluation_level = 1)]::int[] AS levels
        FROM bookings b
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)}`,
  );
  return row!;
}

/** The load right now (not the period): open bookings per node and stage, and how many are past their due date. */
export async function loadNow(ex: Executor, scope: StatsScope, today: string) {
  return query<{ nodeId: number; status: BookingStatus; n: number; overdue: number }>(
    ex,
    sql`SELECT b.node_id AS "nodeId", b.status, count(*)::int AS n,
               count(*) FILTER (WHERE b.due_date < ${today}::date)::int AS overdue
        FROM bookings b
        WHERE ${scopeOf(scope)} AND ${OPEN}
        GROUP BY b.node_id, b.status`,
  );
}

/** A park's companies with their bookings (all time) and the last one. */
export async function parkEnterprises(ex: Executor, parkId: number) {
  return query<{ id: number; name: string; creditCode: string; active: boolean; bookings: number; lastBooking: string | null }>(
    ex,
    sql`SELECT e.id, e.name, e.credit_code AS "creditCode", e.active,
               coalesce(s.n, 0)::int AS bookings, to_char(s.last AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS "lastBooking"
        FROM enterprises e
        LEFT JOIN (SELECT b.enterprise_id, count(*) AS n, max(b.created_at) AS last
                   FROM bookings b JOIN enterprises pe ON pe.id = b.enterprise_id AND pe.park_id = ${parkId}
                   GROUP BY b.enterprise_id) s ON s.enterprise_id = e.id
        WHERE e.park_id = ${parkId}
        ORDER BY bookings DESC, e.name`,
  );
}

/**
 * Fees of the period's bookings per node (booking_fees, in fen): the estimates of bookings still going or done
 * (not of those cancelled or refused), the amounts the labs confirmed, what was paid, and what is confirmed but unpaid.
 */
export async function feeTotals(ex: Executor, scope: StatsScope, period: Period) {
  const rows = await query<{ nodeId: number; name: string; bookings: number; estimate: string | number; confirmed: string | number; paid: string | number; unpaid: string | number }>(
    ex,
    sql`SELECT n.id AS "nodeId", n.name, count(*)::int AS bookings,
               coalesce(sum(f.estimate_cents) FILTER (WHERE NOT ${CLOSED}), 0)::int8 AS estimate,
               coalesce(sum(f.confirmed_cents), 0)::int8 AS confirmed,
               coalesce(sum(f.paid_cents) FILTER (WHERE f.payment_status = 'paid'), 0)::int8 AS paid,
               coalesce(sum(f.confirmed_cents) FILTER (WHERE f.payment_status = 'unpaid'), 0)::int8 AS unpaid
        FROM bookings b
        JOIN booking_fees f ON f.booking_id = b.id
        JOIN nodes n ON n.id = b.node_id
        WHERE ${scopeOf(scope)} AND ${inPeriod(period)}
        GROUP BY n.id, n.name, n.sort_order ORDER BY n.sort_order, n.id`,
  );
  return rows.map((r) => ({ ...r, estimate: Number(r.estimate), confirmed: Number(r.confirmed), paid: Number(r.paid), unpaid: Number(r.unpaid) }));
}
