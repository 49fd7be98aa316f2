import { sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';

/**
 * The dashboards' rollup (booking_stats, booking_stats_turnaround, booking_company_spans, booking_company_node_spans;
 * migrations booking_stats_triggers and spans_triggers). Why triggers rather than calls from the booking code: bookings are created and changed on
 * many paths (online, the walk-in window, the API, chains, every transition, reschedules, seeds, bulk loads, a manual
 * repair in psql); statement-level AFTER triggers on `bookings` see every one of them, in the same transaction, and
 * fold a statement of many rows in with one aggregation. PGlite is PostgreSQL, so the same triggers run there.
 */

/** Recomputes the rollup from the bookings (repair job; after bulk loads that bypassed nothing but want a clean slate). */
export async function rebuildDailyStats(ex: Executor): Promise<void> {
  await ex.execute(sql`SELECT booking_stats_rebuild()`);
}

export interface DriftRow {
  table: string;
  key: string;
  rollup: string | null;
  bookings: string | null;
}

/**
 * Where the rollup and the bookings disagree (none when it is exact): every bucket's figures recomputed from the
 * bookings compared with the stored ones (rows whose count fell to 0 count as absent), and each company's first/last booking spans.
 */
export async function rollupDrift(ex: Executor): Promise<DriftRow[]> {
  const stats = rowsOf<DriftRow>(
    await ex.execute(sql`
      WITH raw AS (
        SELECT grain, day, node_id, park_id, service_id, channel, status,
               concat_ws(',', n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5) AS figures
        FROM booking_stats_from_bookings()
      ), kept AS (
        SELECT grain, day, node_id, park_id, service_id, channel, status,
               concat_ws(',', n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5) AS figures
        FROM booking_stats WHERE n <> 0 OR reported <> 0 OR turnaround_sum <> 0 OR on_time <> 0 OR ev1 <> 0 OR ev2 <> 0 OR ev3 <> 0 OR ev4 <> 0 OR ev5 <> 0
      )
      SELECT 'booking_stats' AS "table", concat_ws('/', coalesce(k.grain, w.grain), coalesce(k.day, w.day), coalesce(k.node_id, w.node_id), coalesce(k.park_id, w.park_id),
                                 coalesce(k.service_id, w.service_id), coalesce(k.channel, w.channel), coalesce(k.status, w.status)) AS key,
             k.figures AS rollup, w.figures AS bookings
      FROM kept k FULL JOIN raw w USING (grain, day, node_id, park_id, service_id, channel, status)
      WHERE k.figures IS DISTINCT FROM w.figures`),
  );
  const turnaround = rowsOf<DriftRow>(
    await ex.execute(sql`
      WITH raw AS (
        SELECT grain, day, node_id, park_id, days, n::text AS figures FROM booking_stats_turnaround_from_bookings()
      ), kept AS (SELECT grain, day, node_id, park_id, days, n::text AS figures FROM booking_stats_turnaround WHERE n <> 0)
      SELECT 'booking_stats_turnaround' AS "table", concat_ws('/', coalesce(k.grain, w.grain), coalesce(k.day, w.day), coalesce(k.node_id, w.node_id),
                                 coalesce(k.park_id, w.park_id), coalesce(k.days, w.days)) AS key,
             k.figures AS rollup, w.figures AS bookings
      FROM kept k FULL JOIN raw w USING (grain, day, node_id, park_id, days)
      WHERE k.figures IS DISTINCT FROM w.figures`),
  );
  const spans = rowsOf<DriftRow>(
    await ex.execute(sql`
      WITH raw AS (
        SELECT b.node_id, b.enterprise_id, coalesce(b.park_id, 0) AS park_id, concat_ws(',', min(b.created_at), max(b.created_at)) AS figures
        FROM bookings b GROUP BY 1, 2, 3
      ), kept AS (SELECT node_id, enterprise_id, park_id, concat_ws(',', first_at, last_at) AS figures FROM booking_company_node_spans),
      raw_company AS (
        SELECT b.enterprise_id, coalesce(b.park_id, 0) AS park_id, concat_ws(',', min(b.created_at), max(b.created_at)) AS figures FROM bookings b GROUP BY 1, 2
      ), kept_company AS (SELECT enterprise_id, park_id, concat_ws(',', first_at, last_at) AS figures FROM booking_company_spans)
      SELECT 'booking_company_node_spans' AS "table", concat_ws('/', node_id, enterprise_id, park_id) AS key, k.figures AS rollup, w.figures AS bookings
      FROM kept k FULL JOIN raw w USING (node_id, enterprise_id, park_id) WHERE k.figures IS DISTINCT FROM w.figures
      UNION ALL
      SELECT 'booking_company_spans', concat_ws('/', enterprise_id, park_id), k.figures, w.figures
      FROM kept_company k FULL JOIN raw_company w USING (enterprise_id, park_id) WHERE k.figures IS DISTINCT FROM w.figures`),
  );
  return [...stats, ...turnaround, ...spans];
}
