CREATE TYPE "public"."equipment_booking_status" AS ENUM('requested', 'approved', 'checked_in', 'checked_out', 'no_show', 'cancelled', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."equipment_status" AS ENUM('available', 'maintenance', 'retired');--> statement-breakpoint
CREATE TABLE "equipment" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"node_id" integer NOT NULL,
	"owner_enterprise_id" integer,
	"review" text DEFAULT 'approved' NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"maker" text DEFAULT '' NOT NULL,
	"specs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"methods" text[] DEFAULT '{}'::text[] NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"modes" text[] NOT NULL,
	"rates" jsonb NOT NULL,
	"open_from" text DEFAULT '08:30' NOT NULL,
	"open_until" text DEFAULT '17:00' NOT NULL,
	"min_notice_hours" integer DEFAULT 24 NOT NULL,
	"max_hours" integer DEFAULT 8 NOT NULL,
	"horizon_days" integer DEFAULT 30 NOT NULL,
	"no_show_minutes" integer DEFAULT 30 NOT NULL,
	"billing" text DEFAULT 'actual' NOT NULL,
	"auto_approve" boolean DEFAULT false NOT NULL,
	"status" "equipment_status" DEFAULT 'available' NOT NULL,
	"status_note" text DEFAULT '' NOT NULL,
	"photo_name" text,
	"photo_mime" text,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "equipment_code_unique" UNIQUE("code"),
	CONSTRAINT "equipment_hours" CHECK ("equipment"."open_from" < "equipment"."open_until"),
	CONSTRAINT "equipment_rules_positive" CHECK ("equipment"."min_notice_hours" >= 0 AND "equipment"."max_hours" > 0 AND "equipment"."horizon_days" > 0 AND "equipment"."no_show_minutes" > 0)
);
--> statement-breakpoint
CREATE TABLE "equipment_bookings" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"kind" text DEFAULT 'booking' NOT NULL,
	"equipment_id" integer NOT NULL,
	"node_id" integer NOT NULL,
	"enterprise_id" integer,
	"park_id" integer,
	"user_category" text,
	"mode" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"status" "equipment_booking_status" NOT NULL,
	"purpose" text DEFAULT '' NOT NULL,
	"sample_note" text DEFAULT '' NOT NULL,
	"contact_name" text DEFAULT '' NOT NULL,
	"contact_mobile" text DEFAULT '' NOT NULL,
	"rate_cents" integer,
	"billing" text,
	"estimate_cents" integer,
	"checked_in_at" timestamp with time zone,
	"checked_out_at" timestamp with time zone,
	"charged_minutes" integer,
	"amount_cents" integer,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"close_reason" text,
	"created_by" integer,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "equipment_bookings_number_unique" UNIQUE("number"),
	CONSTRAINT "equipment_bookings_range" CHECK ("equipment_bookings"."ends_at" > "equipment_bookings"."starts_at"),
	CONSTRAINT "equipment_bookings_kind" CHECK (("equipment_bookings"."kind" = 'maintenance' AND "equipment_bookings"."enterprise_id" IS NULL) OR ("equipment_bookings"."kind" = 'booking' AND "equipment_bookings"."enterprise_id" IS NOT NULL AND "equipment_bookings"."mode" IS NOT NULL AND "equipment_bookings"."rate_cents" IS NOT NULL AND "equipment_bookings"."user_category" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "equipment_suspensions" (
	"id" serial PRIMARY KEY NOT NULL,
	"enterprise_id" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"violations" integer NOT NULL,
	"reason" text NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" integer,
	"lift_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "equipment_trainings" (
	"id" serial PRIMARY KEY NOT NULL,
	"equipment_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"trained_on" date NOT NULL,
	"valid_until" date,
	"trainer" text DEFAULT '' NOT NULL,
	"recorded_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" integer,
	CONSTRAINT "equipment_trainings_range" CHECK ("equipment_trainings"."valid_until" IS NULL OR "equipment_trainings"."valid_until" >= "equipment_trainings"."trained_on")
);
--> statement-breakpoint
CREATE TABLE "sharing_rules" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"no_show_limit" integer DEFAULT 3 NOT NULL,
	"window_days" integer DEFAULT 90 NOT NULL,
	"suspension_days" integer DEFAULT 30 NOT NULL,
	"updated_by" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sharing_rules_one_row" CHECK ("sharing_rules"."id" = 1),
	CONSTRAINT "sharing_rules_positive" CHECK ("sharing_rules"."no_show_limit" > 0 AND "sharing_rules"."window_days" > 0 AND "sharing_rules"."suspension_days" > 0)
);
--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "org_type" text DEFAULT 'company' NOT NULL;--> statement-breakpoint
ALTER TABLE "equipment" ADD CONSTRAINT "equipment_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment" ADD CONSTRAINT "equipment_owner_enterprise_id_enterprises_id_fk" FOREIGN KEY ("owner_enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_bookings" ADD CONSTRAINT "equipment_bookings_equipment_id_equipment_id_fk" FOREIGN KEY ("equipment_id") REFERENCES "public"."equipment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_bookings" ADD CONSTRAINT "equipment_bookings_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_bookings" ADD CONSTRAINT "equipment_bookings_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_bookings" ADD CONSTRAINT "equipment_bookings_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_bookings" ADD CONSTRAINT "equipment_bookings_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_bookings" ADD CONSTRAINT "equipment_bookings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_suspensions" ADD CONSTRAINT "equipment_suspensions_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_suspensions" ADD CONSTRAINT "equipment_suspensions_lifted_by_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_trainings" ADD CONSTRAINT "equipment_trainings_equipment_id_equipment_id_fk" FOREIGN KEY ("equipment_id") REFERENCES "public"."equipment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_trainings" ADD CONSTRAINT "equipment_trainings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_trainings" ADD CONSTRAINT "equipment_trainings_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equipment_trainings" ADD CONSTRAINT "equipment_trainings_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sharing_rules" ADD CONSTRAINT "sharing_rules_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "equipment_node_idx" ON "equipment" USING btree ("node_id","sort_order");--> statement-breakpoint
CREATE INDEX "equipment_bookings_equipment_idx" ON "equipment_bookings" USING btree ("equipment_id","starts_at");--> statement-breakpoint
CREATE INDEX "equipment_bookings_node_idx" ON "equipment_bookings" USING btree ("node_id","status","starts_at");--> statement-breakpoint
CREATE INDEX "equipment_bookings_enterprise_idx" ON "equipment_bookings" USING btree ("enterprise_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_bookings_idempotency_uq" ON "equipment_bookings" USING btree ("enterprise_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "equipment_suspensions_enterprise_idx" ON "equipment_suspensions" USING btree ("enterprise_id","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_trainings_live_uq" ON "equipment_trainings" USING btree ("equipment_id","user_id") WHERE "equipment_trainings"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "equipment_trainings_user_idx" ON "equipment_trainings" USING btree ("user_id");