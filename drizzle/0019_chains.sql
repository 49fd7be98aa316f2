CREATE TYPE "public"."chain_status" AS ENUM('open', 'completed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."chain_step_state" AS ENUM('waiting', 'ready', 'booked');--> statement-breakpoint
CREATE TYPE "public"."need_status" AS ENUM('submitted', 'assigned', 'answering', 'resolved', 'rated', 'closed');--> statement-breakpoint
ALTER TYPE "public"."user_role" ADD VALUE 'expert';--> statement-breakpoint
CREATE TABLE "bundle_steps" (
	"id" serial PRIMARY KEY NOT NULL,
	"bundle_id" integer NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"service_id" integer NOT NULL,
	"depends_on" integer[] DEFAULT '{}'::integer[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bundles" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"current" boolean DEFAULT true NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"bundle_id" integer NOT NULL,
	"enterprise_id" integer NOT NULL,
	"park_id" integer,
	"created_by" integer NOT NULL,
	"status" "chain_status" DEFAULT 'open' NOT NULL,
	"contact_name" text NOT NULL,
	"contact_mobile" text NOT NULL,
	"description" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"rating_level" integer,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "chain_requests_number_unique" UNIQUE("number"),
	CONSTRAINT "chain_requests_rating_range" CHECK ("chain_requests"."rating_level" IS NULL OR "chain_requests"."rating_level" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "chain_steps" (
	"id" serial PRIMARY KEY NOT NULL,
	"chain_id" integer NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"service_id" integer NOT NULL,
	"node_id" integer NOT NULL,
	"depends_on" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"state" "chain_step_state" NOT NULL,
	"booking_id" integer,
	"details" jsonb NOT NULL,
	"ready_at" timestamp with time zone,
	"reroutes" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experts" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"organisation" text NOT NULL,
	"fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"qualifications" text[] DEFAULT '{}'::text[] NOT NULL,
	"available" boolean DEFAULT true NOT NULL,
	"max_load" integer DEFAULT 4 NOT NULL,
	"pool_allowed" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "experts_user_id_unique" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "need_messages" (
	"id" serial PRIMARY KEY NOT NULL,
	"need_id" integer NOT NULL,
	"author_id" integer NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "needs" (
	"id" serial PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"enterprise_id" integer,
	"park_id" integer,
	"submitted_by" integer NOT NULL,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"preferred_way" text NOT NULL,
	"status" "need_status" DEFAULT 'submitted' NOT NULL,
	"expert_id" integer,
	"due_date" date NOT NULL,
	"first_answer_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"proposed_bundle" text,
	"rating_level" integer,
	"rating_comment" text,
	"closed_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "needs_number_unique" UNIQUE("number"),
	CONSTRAINT "needs_rating_range" CHECK ("needs"."rating_level" IS NULL OR "needs"."rating_level" BETWEEN 1 AND 5)
);
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_scope_matches_role";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "coordinator_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bundle_steps" ADD CONSTRAINT "bundle_steps_bundle_id_bundles_id_fk" FOREIGN KEY ("bundle_id") REFERENCES "public"."bundles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bundle_steps" ADD CONSTRAINT "bundle_steps_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bundles" ADD CONSTRAINT "bundles_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_requests" ADD CONSTRAINT "chain_requests_bundle_id_bundles_id_fk" FOREIGN KEY ("bundle_id") REFERENCES "public"."bundles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_requests" ADD CONSTRAINT "chain_requests_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_requests" ADD CONSTRAINT "chain_requests_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_requests" ADD CONSTRAINT "chain_requests_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD CONSTRAINT "chain_steps_chain_id_chain_requests_id_fk" FOREIGN KEY ("chain_id") REFERENCES "public"."chain_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD CONSTRAINT "chain_steps_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD CONSTRAINT "chain_steps_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_steps" ADD CONSTRAINT "chain_steps_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "experts" ADD CONSTRAINT "experts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "need_messages" ADD CONSTRAINT "need_messages_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "need_messages" ADD CONSTRAINT "need_messages_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_park_id_parks_id_fk" FOREIGN KEY ("park_id") REFERENCES "public"."parks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_expert_id_experts_id_fk" FOREIGN KEY ("expert_id") REFERENCES "public"."experts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bundle_steps_position_idx" ON "bundle_steps" USING btree ("bundle_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "bundles_code_version_idx" ON "bundles" USING btree ("code","version");--> statement-breakpoint
CREATE UNIQUE INDEX "bundles_current_idx" ON "bundles" USING btree ("code") WHERE "bundles"."current";--> statement-breakpoint
CREATE UNIQUE INDEX "chain_requests_idempotency_idx" ON "chain_requests" USING btree ("enterprise_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "chain_requests_enterprise_idx" ON "chain_requests" USING btree ("enterprise_id");--> statement-breakpoint
CREATE UNIQUE INDEX "chain_steps_position_idx" ON "chain_steps" USING btree ("chain_id","position");--> statement-breakpoint
CREATE INDEX "chain_steps_booking_idx" ON "chain_steps" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "need_messages_need_idx" ON "need_messages" USING btree ("need_id","id");--> statement-breakpoint
CREATE INDEX "needs_enterprise_idx" ON "needs" USING btree ("enterprise_id");--> statement-breakpoint
CREATE INDEX "needs_park_idx" ON "needs" USING btree ("park_id");--> statement-breakpoint
CREATE INDEX "needs_expert_idx" ON "needs" USING btree ("expert_id","status");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_scope_matches_role" CHECK (("users"."role" = 'enterprise' AND "users"."enterprise_id" IS NOT NULL AND "users"."node_id" IS NULL AND "users"."park_id" IS NULL)
       OR ("users"."role" IN ('lab_staff','node_manager') AND "users"."node_id" IS NOT NULL AND "users"."enterprise_id" IS NULL AND "users"."park_id" IS NULL)
       OR ("users"."role" = 'park_admin' AND "users"."park_id" IS NOT NULL AND "users"."enterprise_id" IS NULL AND "users"."node_id" IS NULL)
       OR ("users"."role"::text IN ('platform_admin','expert') AND "users"."enterprise_id" IS NULL AND "users"."node_id" IS NULL AND "users"."park_id" IS NULL));