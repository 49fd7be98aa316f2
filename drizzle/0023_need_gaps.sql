CREATE TABLE "need_bookings" (
	"booking_id" integer PRIMARY KEY NOT NULL,
	"need_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "need_id" integer;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "need_message_id" integer;--> statement-breakpoint
ALTER TABLE "experts" ADD COLUMN "paused_until" date;--> statement-breakpoint
ALTER TABLE "needs" ADD COLUMN "proposed_services" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "need_bookings" ADD CONSTRAINT "need_bookings_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "need_bookings" ADD CONSTRAINT "need_bookings_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "need_bookings_need_idx" ON "need_bookings" USING btree ("need_id");--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_need_message_id_need_messages_id_fk" FOREIGN KEY ("need_message_id") REFERENCES "public"."need_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_need_idx" ON "attachments" USING btree ("need_id");