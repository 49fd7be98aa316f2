ALTER TABLE "booking_items" ADD COLUMN "condition_on_receipt" text;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "bilingual_report" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "services" ADD COLUMN "guide" jsonb;