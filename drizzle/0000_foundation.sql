CREATE TYPE "public"."booking_kind" AS ENUM('calibration', 'oil_test', 'consultation');--> statement-breakpoint
CREATE TYPE "public"."enterprise_review" AS ENUM('none', 'pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."limit_kind" AS ENUM('min', 'max', 'range', 'criterion', 'note');--> statement-breakpoint
CREATE TYPE "public"."node_kind" AS ENUM('centre', 'station', 'lab');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('enterprise', 'lab_staff', 'node_manager', 'park_admin', 'platform_admin');--> statement-breakpoint
CREATE TABLE "enterprises" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"credit_code" text NOT NULL,
	"credit_code_review" "enterprise_review" DEFAULT 'none' NOT NULL,
	"park_id" integer,
	"address" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enterprises_credit_code_unique" UNIQUE("credit_code")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" integer,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"action" text NOT NULL,
	"from_state" text,
	"to_state" text,
	"note" text,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "instrument_categories" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"discipline" text NOT NULL,
	"compulsory" text NOT NULL,
	"compulsory_scope" text,
	"regulations" text[] NOT NULL,
	"period_months" integer,
	"period_rule" text,
	"service_modes" text[] NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "node_services" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"short_name" text NOT NULL,
	"kind" "node_kind" NOT NULL,
	"park_id" integer,
	"district" text NOT NULL,
	"address" text NOT NULL,
	"hours" text NOT NULL,
	"phone" text NOT NULL,
	"contact_name" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nodes_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "oil_grades" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"family" text NOT NULL,
	"standard" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oil_limits" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_code" text NOT NULL,
	"grade_code" text NOT NULL,
	"kind" "limit_kind" NOT NULL,
	"min_value" double precision,
	"max_value" double precision,
	"criterion" text,
	"verified" boolean NOT NULL,
	"source" text NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "oil_packages" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"item_codes" text[] NOT NULL,
	"grade_families" text[] NOT NULL,
	"turnaround_days" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oil_test_items" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_en" text NOT NULL,
	"unit" text NOT NULL,
	"methods" text[] NOT NULL,
	"applies_to" text[] NOT NULL,
	"plausible_min" double precision,
	"plausible_max" double precision,
	"sort_order" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "parks" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"district" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "parks_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"reset_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_categories" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"booking_prefix" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"category_code" text NOT NULL,
	"booking_kind" "booking_kind" NOT NULL,
	"summary" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"standards" text[] NOT NULL,
	"turnaround_days" integer NOT NULL,
	"fee_basis" text NOT NULL,
	"required_documents" text[] NOT NULL,
	"instrument_category_code" text,
	"grade_codes" text[],
	"package_codes" text[],
	"delivery_modes" text[] NOT NULL,
	"keywords" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"sid" text PRIMARY KEY NOT NULL,
	"sess" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"role" "user_role" NOT NULL,
	"name" text NOT NULL,
	"mobile" text NOT NULL,
	"email" text,
	"password_hash" text NOT NULL,
	"must_change_password" boolean DEFAULT false NOT NULL,
	"enterprise_id" integer,
	"node_id" integer,
	"park_id" integer,
	"active" boolean DEFAULT true NOT NULL,
	"last_login_at" timestamp with time zone,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_mobile_unique" UNIQUE("mobile"),
	CONSTRAINT "users_email_unique" UNIQUE("email"),
	CONSTRAINT "users_scope_matches_role" CHECK (("users"."role" = 'enterprise' AND "users"."enterprise_id" IS NOT NULL AND "users"."node_id" IS NULL AND "users"."park_id" IS NULL)
       OR ("users"."role" IN ('lab_staff','node_manager') AND "users"."node_id" IS NOT NULL AND "users"."enterprise_id" IS NULL AND "users"."park_id" IS NULL)
       OR ("users"."role" = 'park_admin' AND "users"."park_id" IS NOT NULL AND "users"."enterprise_id" IS NULL AND "users"."node_id" IS NULL)
       OR ("users"."role" = 'platform_admin' AND "users"."enterprise_id" IS NULL AND "users"."node_id" IS NULL AND "users"."park_id" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "enterprises" ADD CONSTRAINT "enterprises_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_services" ADD CONSTRAINT "node_services_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_services" ADD CONSTRAINT "node_services_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD CONSTRAINT "oil_limits_item_code_oil_test_items_code_fk" FOREIGN KEY ("item_code") REFERENCES "public"."oil_test_items"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD CONSTRAINT "oil_limits_grade_code_oil_grades_code_fk" FOREIGN KEY ("grade_code") REFERENCES "public"."oil_grades"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_category_code_service_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."service_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_instrument_category_code_instrument_categories_code_fk" FOREIGN KEY ("instrument_category_code") REFERENCES "public"."instrument_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "enterprises_park_idx" ON "enterprises" USING btree ("park_id");--> statement-breakpoint
CREATE INDEX "enterprises_review_idx" ON "enterprises" USING btree ("credit_code_review");--> statement-breakpoint
CREATE INDEX "events_entity_idx" ON "events" USING btree ("entity_type","entity_id","at");--> statement-breakpoint
CREATE INDEX "events_actor_idx" ON "events" USING btree ("actor_user_id","at");--> statement-breakpoint
CREATE INDEX "events_at_idx" ON "events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "node_services_node_service_uq" ON "node_services" USING btree ("node_id","service_id");--> statement-breakpoint
CREATE INDEX "node_services_service_idx" ON "node_services" USING btree ("service_id");--> statement-breakpoint
CREATE UNIQUE INDEX "oil_limits_item_grade_uq" ON "oil_limits" USING btree ("item_code","grade_code");--> statement-breakpoint
CREATE INDEX "services_category_idx" ON "services" USING btree ("category_code","sort_order");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "users_enterprise_idx" ON "users" USING btree ("enterprise_id");--> statement-breakpoint
CREATE INDEX "users_node_idx" ON "users" USING btree ("node_id");