DROP INDEX "bookings_created_idx";--> statement-breakpoint
DROP INDEX "bookings_node_created_idx";--> statement-breakpoint
DROP INDEX "bookings_park_created_idx";--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "evaluation_level" integer;