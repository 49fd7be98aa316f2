CREATE TYPE "public"."booking_channel" AS ENUM('online', 'window', 'api');--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "channel" "booking_channel" DEFAULT 'online' NOT NULL;