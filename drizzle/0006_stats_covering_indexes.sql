-- Dashboards aggregate bookings of a period for the whole network, a park or a node. These covering indexes let
-- PostgreSQL answer them with index-only scans (a fraction of the table's width) instead of reading every row.
CREATE INDEX IF NOT EXISTS "bookings_stats_created_idx" ON "bookings" ("created_at")
  INCLUDE ("status", "node_id", "park_id", "service_id", "enterprise_id", "turnaround_days", "on_time", "evaluation_level");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bookings_stats_node_idx" ON "bookings" ("node_id", "created_at")
  INCLUDE ("status", "park_id", "service_id", "enterprise_id", "turnaround_days", "on_time", "evaluation_level");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bookings_stats_park_idx" ON "bookings" ("park_id", "created_at")
  INCLUDE ("status", "node_id", "service_id", "enterprise_id", "turnaround_days", "on_time", "evaluation_level");
--> statement-breakpoint
-- Booking numbers are searched by prefix ("JL-2026…") in the lab queue.
CREATE INDEX IF NOT EXISTS "bookings_number_prefix_idx" ON "bookings" ("number" text_pattern_ops);
--> statement-breakpoint
UPDATE "bookings" b SET "evaluation_level" = v."level" FROM "evaluations" v WHERE v."booking_id" = b."id" AND b."evaluation_level" IS NULL;
--> statement-breakpoint
-- The lab queue's finished and closed tabs list a node's most recent work first; these partial indexes give that
-- order directly, however many hundred thousand finished bookings a node has.
CREATE INDEX IF NOT EXISTS "bookings_done_recent_idx" ON "bookings" ("node_id", "updated_at" DESC, "id" DESC) WHERE "status" IN ('reported', 'completed');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bookings_closed_recent_idx" ON "bookings" ("node_id", "updated_at" DESC, "id" DESC) WHERE "status" IN ('rejected', 'cancelled');
