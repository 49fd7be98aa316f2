import { sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import type { Period } from '../stats/stats.repo.js';

/*
 * The open-data figures the statistics module does not compute: reports issued by month and service category, reports
 * by the company's park, and turnaround and on-time rates per category. Platform-wide and aggregated only.
 */

const inPeriod = (column: string, period: Period) => sql`${sql.raw(column)} >= ${period.start.toISOString()}::timestamptz AND ${sql.raw(column)} < ${period.end.toISOString()}::timestamptz`;

/** First issues of reports (version 1) by month of issue and service category. */
export async function reportsByMonthAndCategory(ex: Executor, period: Period) {
  return rowsOf<{ month: string; category: string; reports: number }>(
    await ex.execute(sql`
      SELECT to_char(r.issued_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, c.name AS category, count(*)::int AS reports
      FROM reports r
      JOIN bookings b ON b.id = r.booking_id
      JOIN services s ON s.id = b.service_id
      JOIN service_categories c ON c.code = s.category_code
      WHERE r.version = 1 AND ${inPeriod('r.issued_at', period)}
      GROUP BY 1, c.name, c.sort_order ORDER BY 1, c.sort_order`),
  );
}

/** Reports issued in the period by the park of the company (where it was when it booked). */
export async function reportsByPark(ex: Executor, period: Period) {
  return rowsOf<{ parkId: number | null; reports: number }>(
    await ex.execute(sql`
      SELECT b.park_id AS "parkId", count(*)::int AS reports
      FROM reports r JOIN bookings b ON b.id = r.booking_id
      WHERE r.version = 1 AND ${inPeriod('r.issued_at', period)}
      GROUP BY b.park_id`),
  );
}

/** Per service category: bookings submitted in the period that got a report, their mean turnaround and on-time share. */
export async function turnaroundByCategory(ex: Executor, period: Period) {
  return rowsOf<{ category: string; reported: number; onTime: number; avgTurnaround: number | null }>(
    await ex.execute(sql`
      SELECT c.name AS category, count(b.turnaround_days)::int AS reported,
             count(*) FILTER (WHERE b.on_time)::int AS "onTime", avg(b.turnaround_days)::float8 AS "avgTurnaround"
      FROM bookings b
      JOIN services s ON s.id = b.service_id
      JOIN service_categories c ON c.code = s.category_code
      WHERE ${inPeriod('b.created_at', period)}
      GROUP BY c.name, c.sort_order ORDER BY c.sort_order`),
  );
}
