ALTER TABLE "bookings" ADD COLUMN "park_id" integer;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "turnaround_days" integer;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "on_time" boolean;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bookings_node_created_idx" ON "bookings" USING btree ("node_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_park_created_idx" ON "bookings" USING btree ("park_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_reported_idx" ON "bookings" USING btree ("reported_at");--> statement-breakpoint
-- Bookings made before this migration: attribute them to their company's current park.
UPDATE "bookings" b SET "park_id" = e."park_id" FROM "enterprises" e WHERE e."id" = b."enterprise_id" AND b."park_id" IS NULL;
