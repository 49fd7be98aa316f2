-- Issue 18 (dashboards rollup, lab queue search), merged from five migrations of its branch in their order:
-- tables, their triggers, the lab search index, the company spans replacing booking_enterprise_parks, the spans triggers.
CREATE TABLE "booking_enterprise_parks" (
	"enterprise_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	CONSTRAINT "booking_enterprise_parks_park_id_enterprise_id_pk" PRIMARY KEY("park_id","enterprise_id")
);
--> statement-breakpoint
CREATE TABLE "booking_stats" (
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"node_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	"channel" "booking_channel" NOT NULL,
	"status" "booking_status" NOT NULL,
	"n" integer NOT NULL,
	"reported" integer NOT NULL,
	"turnaround_sum" integer NOT NULL,
	"on_time" integer NOT NULL,
	"ev1" integer NOT NULL,
	"ev2" integer NOT NULL,
	"ev3" integer NOT NULL,
	"ev4" integer NOT NULL,
	"ev5" integer NOT NULL,
	CONSTRAINT "booking_stats_grain_day_node_id_park_id_service_id_channel_status_pk" PRIMARY KEY("grain","day","node_id","park_id","service_id","channel","status")
);
--> statement-breakpoint
CREATE TABLE "booking_stats_turnaround" (
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"node_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"days" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "booking_stats_turnaround_grain_day_node_id_park_id_days_pk" PRIMARY KEY("grain","day","node_id","park_id","days")
);
--> statement-breakpoint
-- Dashboards' rollup (issue 18): booking_stats, booking_stats_turnaround and booking_enterprise_parks are kept by
-- statement-level AFTER triggers on bookings, so every path that creates or changes a booking (online, window, API,
-- chains, transitions, reschedules, seeds, bulk loads, a manual UPDATE) updates them in the same transaction — no code
-- path can forget them, and a statement touching many rows (the demo history, a bench's million rows) is folded in
-- with one aggregation instead of one upsert per row. An UPDATE that changes none of the counted columns nets to zero
-- and writes nothing. Rows are upserted in key order so concurrent transactions lock them in the same order.
-- (Transition tables cannot be combined with a column list, hence every UPDATE fires and the delta is netted.)
-- Rows whose count falls to 0 stay (the queries skip them; rebuildDailyStats() drops them).
CREATE OR REPLACE FUNCTION booking_stats_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
  )
  INSERT INTO booking_stats AS s (grain, day, node_id, park_id, service_id, channel, status, n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         sum(d.n), sum(d.reported), sum(d.turnaround_sum), sum(d.on_time), sum(d.ev1), sum(d.ev2), sum(d.ev3), sum(d.ev4), sum(d.ev5)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.reported) <> 0 OR sum(d.turnaround_sum) <> 0 OR sum(d.on_time) <> 0
      OR sum(d.ev1) <> 0 OR sum(d.ev2) <> 0 OR sum(d.ev3) <> 0 OR sum(d.ev4) <> 0 OR sum(d.ev5) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, day, node_id, park_id, service_id, channel, status) DO UPDATE
    SET n = s.n + excluded.n, reported = s.reported + excluded.reported, turnaround_sum = s.turnaround_sum + excluded.turnaround_sum,
        on_time = s.on_time + excluded.on_time, ev1 = s.ev1 + excluded.ev1, ev2 = s.ev2 + excluded.ev2, ev3 = s.ev3 + excluded.ev3,
        ev4 = s.ev4 + excluded.ev4, ev5 = s.ev5 + excluded.ev5;

  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
  )
  INSERT INTO booking_stats_turnaround AS s (grain, day, node_id, park_id, days, n)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, sum(d.n)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  WHERE d.turnaround_days IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(d.n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, node_id, park_id, days) DO UPDATE SET n = s.n + excluded.n;

  INSERT INTO booking_enterprise_parks (enterprise_id, park_id)
  SELECT DISTINCT r.enterprise_id, coalesce(r.park_id, 0) FROM new_rows r ORDER BY 2, 1
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER booking_stats_insert AFTER INSERT ON bookings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_stats_on_insert();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
    UNION ALL
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats AS s (grain, day, node_id, park_id, service_id, channel, status, n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         sum(d.n), sum(d.reported), sum(d.turnaround_sum), sum(d.on_time), sum(d.ev1), sum(d.ev2), sum(d.ev3), sum(d.ev4), sum(d.ev5)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.reported) <> 0 OR sum(d.turnaround_sum) <> 0 OR sum(d.on_time) <> 0
      OR sum(d.ev1) <> 0 OR sum(d.ev2) <> 0 OR sum(d.ev3) <> 0 OR sum(d.ev4) <> 0 OR sum(d.ev5) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, day, node_id, park_id, service_id, channel, status) DO UPDATE
    SET n = s.n + excluded.n, reported = s.reported + excluded.reported, turnaround_sum = s.turnaround_sum + excluded.turnaround_sum,
        on_time = s.on_time + excluded.on_time, ev1 = s.ev1 + excluded.ev1, ev2 = s.ev2 + excluded.ev2, ev3 = s.ev3 + excluded.ev3,
        ev4 = s.ev4 + excluded.ev4, ev5 = s.ev5 + excluded.ev5;

  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
    UNION ALL
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats_turnaround AS s (grain, day, node_id, park_id, days, n)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, sum(d.n)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  WHERE d.turnaround_days IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(d.n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, node_id, park_id, days) DO UPDATE SET n = s.n + excluded.n;

  INSERT INTO booking_enterprise_parks (enterprise_id, park_id)
  SELECT DISTINCT r.enterprise_id, coalesce(r.park_id, 0) FROM new_rows r ORDER BY 2, 1
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER booking_stats_update AFTER UPDATE ON bookings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_stats_on_update();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats AS s (grain, day, node_id, park_id, service_id, channel, status, n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         sum(d.n), sum(d.reported), sum(d.turnaround_sum), sum(d.on_time), sum(d.ev1), sum(d.ev2), sum(d.ev3), sum(d.ev4), sum(d.ev5)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.reported) <> 0 OR sum(d.turnaround_sum) <> 0 OR sum(d.on_time) <> 0
      OR sum(d.ev1) <> 0 OR sum(d.ev2) <> 0 OR sum(d.ev3) <> 0 OR sum(d.ev4) <> 0 OR sum(d.ev5) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, day, node_id, park_id, service_id, channel, status) DO UPDATE
    SET n = s.n + excluded.n, reported = s.reported + excluded.reported, turnaround_sum = s.turnaround_sum + excluded.turnaround_sum,
        on_time = s.on_time + excluded.on_time, ev1 = s.ev1 + excluded.ev1, ev2 = s.ev2 + excluded.ev2, ev3 = s.ev3 + excluded.ev3,
        ev4 = s.ev4 + excluded.ev4, ev5 = s.ev5 + excluded.ev5;

  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats_turnaround AS s (grain, day, node_id, park_id, days, n)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, sum(d.n)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  WHERE d.turnaround_days IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(d.n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, node_id, park_id, days) DO UPDATE SET n = s.n + excluded.n;

  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER booking_stats_delete AFTER DELETE ON bookings REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_stats_on_delete();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE booking_stats, booking_stats_turnaround, booking_enterprise_parks;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER booking_stats_truncate AFTER TRUNCATE ON bookings FOR EACH STATEMENT EXECUTE FUNCTION booking_stats_on_truncate();
--> statement-breakpoint
-- Distinct companies of a period are counted by probing, per company (or per company and park), for one booking in
-- the period: one index descent each instead of grouping every booking of three years.
CREATE INDEX IF NOT EXISTS "bookings_enterprise_node_created_idx" ON "bookings" ("enterprise_id", "node_id", "created_at") INCLUDE ("park_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bookings_enterprise_park_created_idx" ON "bookings" ("enterprise_id", (coalesce("park_id", 0)), "created_at") INCLUDE ("node_id");
--> statement-breakpoint
-- The load right now reads only open bookings; this partial index holds just those, whatever the history.
CREATE INDEX IF NOT EXISTS "bookings_open_load_idx" ON "bookings" ("node_id", "status", "due_date") INCLUDE ("park_id") WHERE "status" IN ('submitted', 'needs_info', 'accepted', 'received', 'in_progress', 'to_verify', 'verified');
--> statement-breakpoint
-- The rollup's rows as the bookings give them now: what rebuild writes and what the drift check compares with.
CREATE OR REPLACE FUNCTION booking_stats_from_bookings()
RETURNS TABLE (grain text, day date, node_id integer, park_id integer, service_id integer, channel booking_channel, status booking_status,
               n integer, reported integer, turnaround_sum integer, on_time integer, ev1 integer, ev2 integer, ev3 integer, ev4 integer, ev5 integer)
LANGUAGE sql STABLE AS $$
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         count(*)::int, count(d.turnaround_days)::int, coalesce(sum(d.turnaround_days), 0)::int, (count(*) FILTER (WHERE d.on_time))::int,
         (count(*) FILTER (WHERE d.evaluation_level = 1))::int, (count(*) FILTER (WHERE d.evaluation_level = 2))::int, (count(*) FILTER (WHERE d.evaluation_level = 3))::int,
         (count(*) FILTER (WHERE d.evaluation_level = 4))::int, (count(*) FILTER (WHERE d.evaluation_level = 5))::int
  FROM (SELECT (b.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, b.node_id, coalesce(b.park_id, 0) AS park_id, b.service_id, b.channel, b.status,
               b.turnaround_days, b.on_time, b.evaluation_level FROM bookings b) d
  CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_turnaround_from_bookings()
RETURNS TABLE (grain text, day date, node_id integer, park_id integer, days integer, n integer)
LANGUAGE sql STABLE AS $$
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, count(*)::int
  FROM (SELECT (b.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, b.node_id, coalesce(b.park_id, 0) AS park_id, b.turnaround_days
        FROM bookings b WHERE b.turnaround_days IS NOT NULL) d
  CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5
$$;
--> statement-breakpoint
-- The rollup recomputed from the bookings (repair job, after bulk loads; rebuildDailyStats() calls it): writes to
-- bookings wait meanwhile, so nothing is counted twice or missed.
CREATE OR REPLACE FUNCTION booking_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE bookings IN SHARE MODE;
  DELETE FROM booking_stats;
  DELETE FROM booking_stats_turnaround;
  DELETE FROM booking_enterprise_parks;
  INSERT INTO booking_enterprise_parks (enterprise_id, park_id) SELECT DISTINCT b.enterprise_id, coalesce(b.park_id, 0) FROM bookings b;
  INSERT INTO booking_stats SELECT * FROM booking_stats_from_bookings();
  INSERT INTO booking_stats_turnaround SELECT * FROM booking_stats_turnaround_from_bookings();
END;
$$;
--> statement-breakpoint
SELECT booking_stats_rebuild();
--> statement-breakpoint
-- The lab queue's search by booking number within a node: a prefix range on the node's own numbers (keyset pages
-- then sort only the node's matches, not every node's).
CREATE INDEX IF NOT EXISTS "bookings_node_number_idx" ON "bookings" ("node_id", "number" text_pattern_ops);
--> statement-breakpoint
CREATE TABLE "booking_company_node_spans" (
	"node_id" integer NOT NULL,
	"enterprise_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "booking_company_node_spans_node_id_enterprise_id_park_id_pk" PRIMARY KEY("node_id","enterprise_id","park_id")
);
--> statement-breakpoint
CREATE TABLE "booking_company_spans" (
	"enterprise_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "booking_company_spans_enterprise_id_park_id_pk" PRIMARY KEY("enterprise_id","park_id")
);
--> statement-breakpoint
DROP TABLE "booking_enterprise_parks" CASCADE;
--> statement-breakpoint
-- Distinct companies (issue 18): booking_company_spans / booking_company_node_spans replace the (company, park)
-- pairs; the same statement-level triggers keep them (first/last submission per company and park, and per node too).
-- Dashboards' rollup (issue 18): booking_stats, booking_stats_turnaround and the spans are kept by
-- statement-level AFTER triggers on bookings, so every path that creates or changes a booking (online, window, API,
-- chains, transitions, reschedules, seeds, bulk loads, a manual UPDATE) updates them in the same transaction — no code
-- path can forget them, and a statement touching many rows (the demo history, a bench's million rows) is folded in
-- with one aggregation instead of one upsert per row. An UPDATE that changes none of the counted columns nets to zero
-- and writes nothing. Rows are upserted in key order so concurrent transactions lock them in the same order.
-- (Transition tables cannot be combined with a column list, hence every UPDATE fires and the delta is netted.)
-- Rows whose count falls to 0 stay (the queries skip them; rebuildDailyStats() drops them).
CREATE OR REPLACE FUNCTION booking_stats_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
  )
  INSERT INTO booking_stats AS s (grain, day, node_id, park_id, service_id, channel, status, n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         sum(d.n), sum(d.reported), sum(d.turnaround_sum), sum(d.on_time), sum(d.ev1), sum(d.ev2), sum(d.ev3), sum(d.ev4), sum(d.ev5)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.reported) <> 0 OR sum(d.turnaround_sum) <> 0 OR sum(d.on_time) <> 0
      OR sum(d.ev1) <> 0 OR sum(d.ev2) <> 0 OR sum(d.ev3) <> 0 OR sum(d.ev4) <> 0 OR sum(d.ev5) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, day, node_id, park_id, service_id, channel, status) DO UPDATE
    SET n = s.n + excluded.n, reported = s.reported + excluded.reported, turnaround_sum = s.turnaround_sum + excluded.turnaround_sum,
        on_time = s.on_time + excluded.on_time, ev1 = s.ev1 + excluded.ev1, ev2 = s.ev2 + excluded.ev2, ev3 = s.ev3 + excluded.ev3,
        ev4 = s.ev4 + excluded.ev4, ev5 = s.ev5 + excluded.ev5;

  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
  )
  INSERT INTO booking_stats_turnaround AS s (grain, day, node_id, park_id, days, n)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, sum(d.n)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  WHERE d.turnaround_days IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(d.n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, node_id, park_id, days) DO UPDATE SET n = s.n + excluded.n;

  INSERT INTO booking_company_spans AS s (enterprise_id, park_id, first_at, last_at)
  SELECT r.enterprise_id, coalesce(r.park_id, 0), min(r.created_at), max(r.created_at) FROM new_rows r GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (enterprise_id, park_id) DO UPDATE SET first_at = least(s.first_at, excluded.first_at), last_at = greatest(s.last_at, excluded.last_at);
  INSERT INTO booking_company_node_spans AS s (node_id, enterprise_id, park_id, first_at, last_at)
  SELECT r.node_id, r.enterprise_id, coalesce(r.park_id, 0), min(r.created_at), max(r.created_at) FROM new_rows r GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (node_id, enterprise_id, park_id) DO UPDATE SET first_at = least(s.first_at, excluded.first_at), last_at = greatest(s.last_at, excluded.last_at);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
    UNION ALL
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats AS s (grain, day, node_id, park_id, service_id, channel, status, n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         sum(d.n), sum(d.reported), sum(d.turnaround_sum), sum(d.on_time), sum(d.ev1), sum(d.ev2), sum(d.ev3), sum(d.ev4), sum(d.ev5)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.reported) <> 0 OR sum(d.turnaround_sum) <> 0 OR sum(d.on_time) <> 0
      OR sum(d.ev1) <> 0 OR sum(d.ev2) <> 0 OR sum(d.ev3) <> 0 OR sum(d.ev4) <> 0 OR sum(d.ev5) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, day, node_id, park_id, service_id, channel, status) DO UPDATE
    SET n = s.n + excluded.n, reported = s.reported + excluded.reported, turnaround_sum = s.turnaround_sum + excluded.turnaround_sum,
        on_time = s.on_time + excluded.on_time, ev1 = s.ev1 + excluded.ev1, ev2 = s.ev2 + excluded.ev2, ev3 = s.ev3 + excluded.ev3,
        ev4 = s.ev4 + excluded.ev4, ev5 = s.ev5 + excluded.ev5;

  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN 1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * 1 AS turnaround_sum,
           CASE WHEN r.on_time THEN 1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN 1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN 1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN 1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN 1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN 1 ELSE 0 END AS ev5, r.turnaround_days
    FROM new_rows r
    UNION ALL
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats_turnaround AS s (grain, day, node_id, park_id, days, n)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, sum(d.n)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  WHERE d.turnaround_days IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(d.n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, node_id, park_id, days) DO UPDATE SET n = s.n + excluded.n;

  -- Spans change only when a booking's company, node, park or submission time does (never in the app's own paths).
  PERFORM booking_company_spans_recompute(ARRAY(
    SELECT o.enterprise_id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.enterprise_id, o.node_id, o.park_id, o.created_at) IS DISTINCT FROM (n.enterprise_id, n.node_id, n.park_id, n.created_at)
    UNION SELECT n.enterprise_id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.enterprise_id, o.node_id, o.park_id, o.created_at) IS DISTINCT FROM (n.enterprise_id, n.node_id, n.park_id, n.created_at)));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats AS s (grain, day, node_id, park_id, service_id, channel, status, n, reported, turnaround_sum, on_time, ev1, ev2, ev3, ev4, ev5)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.service_id, d.channel, d.status,
         sum(d.n), sum(d.reported), sum(d.turnaround_sum), sum(d.on_time), sum(d.ev1), sum(d.ev2), sum(d.ev3), sum(d.ev4), sum(d.ev5)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(d.n) <> 0 OR sum(d.reported) <> 0 OR sum(d.turnaround_sum) <> 0 OR sum(d.on_time) <> 0
      OR sum(d.ev1) <> 0 OR sum(d.ev2) <> 0 OR sum(d.ev3) <> 0 OR sum(d.ev4) <> 0 OR sum(d.ev5) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, day, node_id, park_id, service_id, channel, status) DO UPDATE
    SET n = s.n + excluded.n, reported = s.reported + excluded.reported, turnaround_sum = s.turnaround_sum + excluded.turnaround_sum,
        on_time = s.on_time + excluded.on_time, ev1 = s.ev1 + excluded.ev1, ev2 = s.ev2 + excluded.ev2, ev3 = s.ev3 + excluded.ev3,
        ev4 = s.ev4 + excluded.ev4, ev5 = s.ev5 + excluded.ev5;

  WITH d AS (
    SELECT (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.node_id, coalesce(r.park_id, 0) AS park_id, r.service_id, r.channel, r.status,
           -1 AS n, CASE WHEN r.turnaround_days IS NOT NULL THEN -1 ELSE 0 END AS reported, coalesce(r.turnaround_days, 0) * -1 AS turnaround_sum,
           CASE WHEN r.on_time THEN -1 ELSE 0 END AS on_time,
           CASE WHEN r.evaluation_level = 1 THEN -1 ELSE 0 END AS ev1, CASE WHEN r.evaluation_level = 2 THEN -1 ELSE 0 END AS ev2,
           CASE WHEN r.evaluation_level = 3 THEN -1 ELSE 0 END AS ev3, CASE WHEN r.evaluation_level = 4 THEN -1 ELSE 0 END AS ev4,
           CASE WHEN r.evaluation_level = 5 THEN -1 ELSE 0 END AS ev5, r.turnaround_days
    FROM old_rows r
  )
  INSERT INTO booking_stats_turnaround AS s (grain, day, node_id, park_id, days, n)
  SELECT g.grain, CASE WHEN g.grain = 'm' THEN date_trunc('month', d.day)::date ELSE d.day END, d.node_id, d.park_id, d.turnaround_days, sum(d.n)
  FROM d CROSS JOIN (VALUES ('d'), ('m')) AS g(grain)
  WHERE d.turnaround_days IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(d.n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, node_id, park_id, days) DO UPDATE SET n = s.n + excluded.n;

  PERFORM booking_company_spans_recompute(ARRAY(SELECT DISTINCT r.enterprise_id FROM old_rows r));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION booking_stats_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE booking_stats, booking_stats_turnaround, booking_company_spans, booking_company_node_spans;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A company's spans recomputed from its bookings (after a delete or a change of company, node, park or time).
CREATE OR REPLACE FUNCTION booking_company_spans_recompute(companies integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(companies) = 0 THEN RETURN; END IF;
  DELETE FROM booking_company_spans WHERE enterprise_id = ANY (companies);
  DELETE FROM booking_company_node_spans WHERE enterprise_id = ANY (companies);
  INSERT INTO booking_company_spans (enterprise_id, park_id, first_at, last_at)
  SELECT b.enterprise_id, coalesce(b.park_id, 0), min(b.created_at), max(b.created_at) FROM bookings b WHERE b.enterprise_id = ANY (companies) GROUP BY 1, 2;
  INSERT INTO booking_company_node_spans (node_id, enterprise_id, park_id, first_at, last_at)
  SELECT b.node_id, b.enterprise_id, coalesce(b.park_id, 0), min(b.created_at), max(b.created_at) FROM bookings b WHERE b.enterprise_id = ANY (companies) GROUP BY 1, 2, 3;
END;
$$;
--> statement-breakpoint
-- The rollup recomputed from the bookings (repair job, after bulk loads; rebuildDailyStats() calls it): writes to
-- bookings wait meanwhile, so nothing is counted twice or missed.
CREATE OR REPLACE FUNCTION booking_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE bookings IN SHARE MODE;
  -- TRUNCATE rather than DELETE: a rebuilt rollup leaves no dead rows behind for the dashboards to scan.
  TRUNCATE booking_stats, booking_stats_turnaround, booking_company_spans, booking_company_node_spans;
  INSERT INTO booking_company_spans (enterprise_id, park_id, first_at, last_at)
  SELECT b.enterprise_id, coalesce(b.park_id, 0), min(b.created_at), max(b.created_at) FROM bookings b GROUP BY 1, 2;
  INSERT INTO booking_company_node_spans (node_id, enterprise_id, park_id, first_at, last_at)
  SELECT b.node_id, b.enterprise_id, coalesce(b.park_id, 0), min(b.created_at), max(b.created_at) FROM bookings b GROUP BY 1, 2, 3;
  INSERT INTO booking_stats SELECT * FROM booking_stats_from_bookings();
  INSERT INTO booking_stats_turnaround SELECT * FROM booking_stats_turnaround_from_bookings();
END;
$$;
--> statement-breakpoint
SELECT booking_stats_rebuild();
