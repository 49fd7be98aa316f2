CREATE TYPE "public"."join_request_status" AS ENUM('pending', 'approved', 'refused');--> statement-breakpoint
CREATE TYPE "public"."queue_ticket_status" AS ENUM('waiting', 'called', 'served', 'no_show');--> statement-breakpoint
CREATE TABLE "account_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" integer,
	"enterprise_id" integer,
	"created_by" integer,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_tokens_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "account_tokens_target" CHECK (("account_tokens"."purpose" = 'reset' AND "account_tokens"."user_id" IS NOT NULL) OR ("account_tokens"."purpose" = 'claim' AND "account_tokens"."enterprise_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" serial PRIMARY KEY NOT NULL,
	"enterprise_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"mobile" text NOT NULL,
	"email" text,
	"invited_by" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"user_id" integer,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invitations_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "join_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"enterprise_id" integer NOT NULL,
	"name" text NOT NULL,
	"mobile" text NOT NULL,
	"email" text,
	"password_hash" text NOT NULL,
	"status" "join_request_status" DEFAULT 'pending' NOT NULL,
	"decided_by" integer,
	"decided_at" timestamp with time zone,
	"user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_tickets" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_id" integer NOT NULL,
	"day" date NOT NULL,
	"number" integer NOT NULL,
	"category_code" text NOT NULL,
	"status" "queue_ticket_status" DEFAULT 'waiting' NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"called_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"called_by" integer
);
--> statement-breakpoint
CREATE TABLE "window_cases" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_id" integer NOT NULL,
	"enterprise_id" integer NOT NULL,
	"staff_user_id" integer NOT NULL,
	"visitor_name" text NOT NULL,
	"visitor_mobile" text NOT NULL,
	"visitor_id_last4" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "window_case_id" integer;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "company_admin" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "window_duty" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_requests" ADD CONSTRAINT "join_requests_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_requests" ADD CONSTRAINT "join_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "join_requests" ADD CONSTRAINT "join_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_called_by_users_id_fk" FOREIGN KEY ("called_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "window_cases" ADD CONSTRAINT "window_cases_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "window_cases" ADD CONSTRAINT "window_cases_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "window_cases" ADD CONSTRAINT "window_cases_staff_user_id_users_id_fk" FOREIGN KEY ("staff_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_tokens_enterprise_idx" ON "account_tokens" USING btree ("enterprise_id");--> statement-breakpoint
CREATE INDEX "invitations_enterprise_idx" ON "invitations" USING btree ("enterprise_id","created_at");--> statement-breakpoint
CREATE INDEX "join_requests_enterprise_idx" ON "join_requests" USING btree ("enterprise_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "join_requests_pending_mobile_uq" ON "join_requests" USING btree ("mobile") WHERE "join_requests"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "queue_tickets_number_uq" ON "queue_tickets" USING btree ("node_id","day","number");--> statement-breakpoint
CREATE INDEX "queue_tickets_node_day_idx" ON "queue_tickets" USING btree ("node_id","day","status");--> statement-breakpoint
CREATE INDEX "window_cases_node_idx" ON "window_cases" USING btree ("node_id","opened_at");--> statement-breakpoint
CREATE INDEX "window_cases_enterprise_idx" ON "window_cases" USING btree ("enterprise_id");--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_window_case_id_window_cases_id_fk" FOREIGN KEY ("window_case_id") REFERENCES "public"."window_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Every company's first user (by account creation) becomes its 企业管理员.
UPDATE "users" u SET "company_admin" = true
WHERE u."role" = 'enterprise' AND u."id" = (SELECT min(f."id") FROM "users" f WHERE f."enterprise_id" = u."enterprise_id");
