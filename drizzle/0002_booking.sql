CREATE TYPE "public"."booking_status" AS ENUM('submitted', 'needs_info', 'accepted', 'received', 'in_progress', 'to_verify', 'verified', 'reported', 'completed', 'rejected', 'cancelled');--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer,
	"enterprise_id" integer,
	"owner_user_id" integer NOT NULL,
	"draft_token" text,
	"purpose" text NOT NULL,
	"original_name" text NOT NULL,
	"stored_name" text NOT NULL,
	"mime_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attachments_stored_name_unique" UNIQUE("stored_name")
);
--> statement-breakpoint
CREATE TABLE "booking_counters" (
	"prefix" text NOT NULL,
	"day" date NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "booking_counters_prefix_day_pk" PRIMARY KEY("prefix","day")
);
--> statement-breakpoint
CREATE TABLE "booking_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"position" integer NOT NULL,
	"quantity" integer DEFAULT 1 NOT NULL,
	"instrument_name" text,
	"model" text,
	"serial_no" text,
	"measuring_range" text,
	"accuracy_class" text,
	"compulsory" boolean,
	"intended_use" text,
	"sample_name" text,
	"grade_code" text,
	"spec_edition" text,
	"source_type" text,
	"source_name" text,
	"sampling_date" date,
	"seal_no" text,
	"package_code" text,
	"test_item_codes" text[],
	"topic" text,
	"description" text,
	"participants" integer,
	"label_code" text,
	CONSTRAINT "booking_items_quantity_positive" CHECK ("booking_items"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"kind" "booking_kind" NOT NULL,
	"enterprise_id" integer NOT NULL,
	"node_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	"node_service_id" integer NOT NULL,
	"window_id" integer,
	"date" date NOT NULL,
	"window" text NOT NULL,
	"units" integer NOT NULL,
	"status" "booking_status" DEFAULT 'submitted' NOT NULL,
	"delivery_mode" text NOT NULL,
	"onsite_address" text,
	"contact_name" text NOT NULL,
	"contact_mobile" text NOT NULL,
	"remarks" text DEFAULT '' NOT NULL,
	"created_by" integer NOT NULL,
	"assigned_to" integer,
	"due_date" date,
	"idempotency_key" text NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"reported_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_number_unique" UNIQUE("number"),
	CONSTRAINT "bookings_units_positive" CHECK ("bookings"."units" > 0)
);
--> statement-breakpoint
CREATE TABLE "capacity_windows" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_service_id" integer NOT NULL,
	"date" date NOT NULL,
	"window" text NOT NULL,
	"capacity" integer NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "capacity_windows_not_oversold" CHECK ("capacity_windows"."used" >= 0 AND "capacity_windows"."used" <= "capacity_windows"."capacity")
);
--> statement-breakpoint
CREATE TABLE "closures" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_id" integer NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"reason" text NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "closures_range" CHECK ("closures"."end_date" >= "closures"."start_date")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"booking_id" integer,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"link" text,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "node_services" ADD COLUMN "capacity_am" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "node_services" ADD COLUMN "capacity_pm" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "node_services" ADD COLUMN "slot_times" text[];--> statement-breakpoint
ALTER TABLE "node_services" ADD COLUMN "slot_capacity" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_owner_user_id_users_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_items" ADD CONSTRAINT "booking_items_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_items" ADD CONSTRAINT "booking_items_grade_code_oil_grades_code_fk" FOREIGN KEY ("grade_code") REFERENCES "public"."oil_grades"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_items" ADD CONSTRAINT "booking_items_package_code_oil_packages_code_fk" FOREIGN KEY ("package_code") REFERENCES "public"."oil_packages"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_node_service_id_node_services_id_fk" FOREIGN KEY ("node_service_id") REFERENCES "public"."node_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_window_id_capacity_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."capacity_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "capacity_windows" ADD CONSTRAINT "capacity_windows_node_service_id_node_services_id_fk" FOREIGN KEY ("node_service_id") REFERENCES "public"."node_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "closures" ADD CONSTRAINT "closures_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "closures" ADD CONSTRAINT "closures_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_booking_idx" ON "attachments" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "attachments_draft_idx" ON "attachments" USING btree ("owner_user_id","draft_token");--> statement-breakpoint
CREATE INDEX "booking_items_booking_idx" ON "booking_items" USING btree ("booking_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "bookings_idempotency_uq" ON "bookings" USING btree ("enterprise_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "bookings_enterprise_created_idx" ON "bookings" USING btree ("enterprise_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_node_status_due_idx" ON "bookings" USING btree ("node_id","status","due_date");--> statement-breakpoint
CREATE INDEX "bookings_window_idx" ON "bookings" USING btree ("window_id");--> statement-breakpoint
CREATE INDEX "bookings_created_idx" ON "bookings" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "capacity_windows_slot_uq" ON "capacity_windows" USING btree ("node_service_id","date","window");--> statement-breakpoint
CREATE INDEX "closures_node_dates_idx" ON "closures" USING btree ("node_id","start_date","end_date");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","read_at","created_at");--> statement-breakpoint
ALTER TABLE "node_services" ADD CONSTRAINT "node_services_capacity_nonneg" CHECK ("node_services"."capacity_am" >= 0 AND "node_services"."capacity_pm" >= 0 AND "node_services"."slot_capacity" >= 0);