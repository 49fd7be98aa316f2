import { sql, type SQL } from 'drizzle-orm';
import { CLOSED_STATUSES, OPEN_STATUSES, statusIn, type BookingStatus } from '../bookings/lifecycle.js';
import { rowsOf, type Executor } from '../db/client.js';
import { addDays, dayjs } from '../shared/time.js';

/**
 * Aggregate queries behind the dashboards. Every figure of a period counts bookings *submitted* in the period
 * (created_at, Shanghai days). Counts and sums read the rollup (`booking_stats`, kept by triggers on bookings in the
 * same transaction — see src/stats/rollup.ts): whole months from its month rows, the days at the period's edges from
 * its day rows, so three years read ~36 month buckets instead of every booking. Distinct companies cannot be added up
 * from buckets: they are counted by probing the bookings index once per company (or company and park). Only the load
 * right now, the park's company list and the fees still read bookings directly. Casts make both drivers return plain
 * numbers.
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

/**
 * The rollup rows (alias `r`) of a period and scope: month rows for the months the period covers whole, day rows for
 * the days before the first and after the last whole month. Rows whose count fell to 0 add nothing to any sum.
 */
function rollupOf(scope: StatsScope, period: Period, alias = 'r'): SQL {
  const a = sql.raw(alias);
  const after = addDays(period.to, 1);
  const firstWhole = period.from.endsWith('-01') ? period.from : addDays(dayjs(period.from).endOf('month').format('YYYY-MM-DD'), 1);
  const endWhole = after.slice(0, 8) + '01';
  const [monthsFrom, monthsTo] = firstWhole < endWhole ? [firstWhole, endWhole] : [after, after];
  return sql`${scopeOf(scope, alias)}
    AND ((${a}.grain = 'm' AND ${a}.day >= ${monthsFrom}::date AND ${a}.day < ${monthsTo}::date)
      OR (${a}.grain = 'd' AND ((${a}.day >= ${period.from}::date AND ${a}.day < ${monthsFrom}::date) OR (${a}.day >= ${monthsTo}::date AND ${a}.day < ${after}::date))))`;
}

/* The same state groupings on the rollup's alias `r`. */
const R_STATUS = sql`r.status`;
const rStatusIs = (status: BookingStatus) => statusIn(R_STATUS, [status]);
const R_OPEN = statusIn(R_STATUS, OPEN_STATUSES);
const R_CLOSED = statusIn(R_STATUS, CLOSED_STATUSES);
/** Evaluations in rollup rows, and the satisfaction score (level 1…5 → 0, 25, 50, 75, 100) as a sum over them. */
const R_EVALUATIONS = sql`(r.ev1 + r.ev2 + r.ev3 + r.ev4 + r.ev5)`;
const R_SCORE_SUM = sql`(25 * r.ev2 + 50 * r.ev3 + 75 * r.ev4 + 100 * r.ev5)`;

/**
 * Companies with at least one booking in the period and scope — per company, or per company and park (`byPark`) —
 * from the spans of their first and last booking: a span with an end inside the period counts for sure, one wholly
 * before or after does not, and only a company whose span straddles the whole period is looked up in the bookings
 * (one index probe). Rows: (enterprise_id, park_id); park_id is 0 when not by park or for companies in no park.
 */
function activeCompanies(scope: StatsScope, period: Period, byPark: boolean): SQL {
  const start = sql`${period.start.toISOString()}::timestamptz`;
  const end = sql`${period.end.toISOString()}::timestamptz`;
  const spans = scope.kind === 'node' ? sql`booking_company_node_spans s WHERE s.node_id = ${scope.nodeId}` : scope.kind === 'park' ? sql`booking_company_spans s WHERE s.park_id = ${scope.parkId}` : sql`booking_company_spans s`;
  const park = byPark ? sql`s.park_id` : sql`0`;
  const probePark = byPark ? sql`AND coalesce(b.park_id, 0) = t.park_id` : sql``;
  return sql`SELECT t.enterprise_id, t.park_id FROM (
               SELECT s.enterprise_id, ${park} AS park_id,
                      bool_or((s.first_at >= ${start} AND s.first_at < ${end}) OR (s.last_at >= ${start} AND s.last_at < ${end})) AS sure,
                      bool_or(s.first_at < ${start} AND s.last_at >= ${end}) AS straddles
               FROM ${spans} GROUP BY 1, 2) t
             WHERE t.sure OR (t.straddles AND EXISTS (SELECT 1 FROM bookings b WHERE b.enterprise_id = t.enterprise_id ${probePark} AND ${scopeOf(scope)} AND ${inPeriod(period)}))`;
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

/** Totals of the period: counts and sums from the rollup, the p90 from its turnaround distribution, and the distinct companies. */
export async function summary(ex: Executor, scope: StatsScope, period: Period): Promise<Summary> {
  const [counts] = await query<Omit<Summary, 'p90Turnaround' | 'enterprises'>>(
    ex,
    sql`SELECT coalesce(sum(r.n), 0)::int AS total,
               coalesce(sum(r.n) FILTER (WHERE ${rStatusIs('completed')}), 0)::int AS completed,
               coalesce(sum(r.n) FILTER (WHERE ${rStatusIs('cancelled')}), 0)::int AS cancelled,
               coalesce(sum(r.n) FILTER (WHERE ${rStatusIs('rejected')}), 0)::int AS rejected,
               coalesce(sum(r.n) FILTER (WHERE ${R_OPEN}), 0)::int AS open,
               coalesce(sum(r.reported), 0)::int AS reported,
               coalesce(sum(r.on_time), 0)::int AS "onTime",
               (sum(r.turnaround_sum)::numeric / nullif(sum(r.reported), 0))::float8 AS "avgTurnaround"
        FROM booking_stats r
        WHERE ${rollupOf(scope, period)}`,
  );
  const histogram = await query<{ days: number; n: number }>(
    ex,
    sql`SELECT r.days, sum(r.n)::int AS n FROM booking_stats_turnaround r
        WHERE ${rollupOf(scope, period)}
        GROUP BY r.days HAVING sum(r.n) > 0 ORDER BY r.days`,
  );
  const [companies] = await query<{ n: number }>(ex, sql`SELECT count(*)::int AS n FROM (${activeCompanies(scope, period, false)}) c`);
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

export async function byMonth(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ month: string; total: number; completed: number }>(
    ex,
    sql`SELECT to_char(date_trunc('month', r.day), 'YYYY-MM') AS month, sum(r.n)::int AS total,
               coalesce(sum(r.n) FILTER (WHERE ${rStatusIs('completed')}), 0)::int AS completed
        FROM booking_stats r
        WHERE ${rollupOf(scope, period)}
        GROUP BY 1 HAVING sum(r.n) > 0 ORDER BY 1`,
  );
}

export async function byCategory(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ code: string; name: string; total: number; completed: number }>(
    ex,
    sql`SELECT c.code, c.name, sum(t.total)::int AS total, sum(t.completed)::int AS completed
        FROM (SELECT r.service_id, sum(r.n) AS total, coalesce(sum(r.n) FILTER (WHERE ${rStatusIs('completed')}), 0) AS completed
              FROM booking_stats r WHERE ${rollupOf(scope, period)} GROUP BY r.service_id HAVING sum(r.n) > 0) t
        JOIN services s ON s.id = t.service_id
        JOIN service_categories c ON c.code = s.category_code
        GROUP BY c.code, c.name, c.sort_order ORDER BY c.sort_order`,
  );
}

/** Bookings per node by the channel they came through (online, the walk-in window, the API). */
export async function byChannel(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ nodeId: number; name: string; online: number; window: number; api: number; total: number }>(
    ex,
    sql`SELECT n.id AS "nodeId", n.name, t.online::int AS online, t."window"::int AS "window", t.api::int AS api, t.total::int AS total
        FROM (SELECT r.node_id, coalesce(sum(r.n) FILTER (WHERE r.channel = 'online'), 0) AS online,
                     coalesce(sum(r.n) FILTER (WHERE r.channel = 'window'), 0) AS "window",
                     coalesce(sum(r.n) FILTER (WHERE r.channel = 'api'), 0) AS api, sum(r.n) AS total
              FROM booking_stats r WHERE ${rollupOf(scope, period)} GROUP BY r.node_id HAVING sum(r.n) > 0) t
        JOIN nodes n ON n.id = t.node_id
        ORDER BY n.sort_order`,
  );
}

/** Bookings per park (the company's park when it booked) from the rollup, and its distinct companies from the spans. */
export async function byPark(ex: Executor, scope: StatsScope, period: Period) {
  return query<{ parkId: number | null; name: string; total: number; enterprises: number }>(
    ex,
    sql`SELECT nullif(t.park_id, 0) AS "parkId", coalesce(p.name, '不在园区') AS name, t.total::int AS total, coalesce(c.n, 0)::int AS enterprises
        FROM (SELECT r.park_id, sum(r.n) AS total FROM booking_stats r WHERE ${rollupOf(scope, period)} GROUP BY r.park_id HAVING sum(r.n) > 0) t
        LEFT JOIN (SELECT a.park_id, count(*) AS n FROM (${activeCompanies(scope, period, true)}) a GROUP BY a.park_id) c ON c.park_id = t.park_id
        LEFT JOIN parks p ON p.id = t.park_id
        ORDER BY total DESC, name`,
  );
}

export async function topServices(ex: Executor, scope: StatsScope, period: Period, limit = 10) {
  return query<{ code: string; name: string; total: number }>(
    ex,
    sql`SELECT s.code, s.name, t.total
        FROM (SELECT r.service_id, sum(r.n)::int AS total FROM booking_stats r
              WHERE ${rollupOf(scope, period)} GROUP BY r.service_id HAVING sum(r.n) > 0 ORDER BY total DESC, r.service_id LIMIT ${limit}) t
        JOIN services s ON s.id = t.service_id
        ORDER BY t.total DESC, s.code`,
  );
}

/** Per node of the scope: the period's figures (every node listed, also those without bookings). */
export async function nodeFigures(ex: Executor, scope: StatsScope, period: Period) {
  const nodeFilter = scope.kind === 'node' ? sql`n.id = ${scope.nodeId}` : sql`TRUE`;
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
          SELECT r.node_id, sum(r.n) AS total,
                 sum(r.n) FILTER (WHERE ${rStatusIs('completed')}) AS completed,
                 sum(r.n) FILTER (WHERE ${R_CLOSED}) AS closed_without,
                 sum(r.reported) AS reported,
                 sum(r.on_time) AS on_time,
                 sum(r.turnaround_sum)::numeric / nullif(sum(r.reported), 0) AS avg_turnaround,
                 sum(${R_EVALUATIONS}) AS evaluations,
                 sum(${R_SCORE_SUM})::numeric / nullif(sum(${R_EVALUATIONS}), 0) AS satisfaction
          FROM booking_stats r WHERE ${rollupOf(scope, period)}
          GROUP BY r.node_id
        ) f ON f.node_id = n.id

        WHERE ${nodeFilter}
        ORDER BY n.sort_order, n.id`,
  );
}

/** Satisfaction of the scope's bookings of the period: five levels mapped to 0, 25, 50, 75, 100 (level kept on the booking). */
export async function satisfaction(ex: Executor, scope: StatsScope, period: Period) {
  const [row] = await query<{ evaluations: number; score: number | null; levels: number[] }>(
    ex,
    sql`SELECT coalesce(sum(${R_EVALUATIONS}), 0)::int AS evaluations, (sum(${R_SCORE_SUM})::numeric / nullif(sum(${R_EVALUATIONS}), 0))::float8 AS score,
               ARRAY[coalesce(sum(r.ev5), 0), coalesce(sum(r.ev4), 0), coalesce(sum(r.ev3), 0), coalesce(sum(r.ev2), 0), coalesce(sum(r.ev1), 0)]::int[] AS levels
        FROM booking_stats r
        WHERE ${rollupOf(scope, period)}`,
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
