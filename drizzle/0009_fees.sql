CREATE TYPE "public"."invoice_status" AS ENUM('requested', 'issued', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('unpaid', 'paid', 'waived');--> statement-breakpoint
CREATE TYPE "public"."price_type" AS ENUM('published', 'estimate', 'tbd', 'free', 'free_then_agreement', 'per_item');--> statement-breakpoint
CREATE TABLE "booking_fees" (
	"booking_id" integer PRIMARY KEY NOT NULL,
	"estimate_cents" integer,
	"estimate_lines" jsonb NOT NULL,
	"estimate_complete" boolean NOT NULL,
	"urgent" boolean DEFAULT false NOT NULL,
	"confirmed_cents" integer,
	"confirmed_by" integer,
	"confirmed_at" timestamp with time zone,
	"adjust_reason" text,
	"payment_status" "payment_status" DEFAULT 'unpaid' NOT NULL,
	"paid_cents" integer,
	"paid_on" date,
	"payment_method" text,
	"payment_recorded_by" integer
);
--> statement-breakpoint
CREATE TABLE "fee_rules" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"text" text NOT NULL,
	"basis" text NOT NULL,
	"kind" text NOT NULL,
	"percent_min" integer,
	"percent_max" integer,
	"official" boolean NOT NULL,
	"effective_from" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"enterprise_id" integer NOT NULL,
	"title" text NOT NULL,
	"tax_no" text NOT NULL,
	"address_phone" text DEFAULT '' NOT NULL,
	"bank_account" text DEFAULT '' NOT NULL,
	"amount_cents" integer NOT NULL,
	"status" "invoice_status" DEFAULT 'requested' NOT NULL,
	"requested_by" integer NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"invoice_no" text,
	"issued_by" integer,
	"issued_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "prices" (
	"id" serial PRIMARY KEY NOT NULL,
	"target_kind" text NOT NULL,
	"target_code" text NOT NULL,
	"node_id" integer,
	"unit" text NOT NULL,
	"amount_cents" integer,
	"amount_min_cents" integer,
	"amount_max_cents" integer,
	"price_type" "price_type" NOT NULL,
	"official" boolean NOT NULL,
	"publisher" text,
	"basis" text NOT NULL,
	"compulsory" text DEFAULT 'no' NOT NULL,
	"urgent_percent" integer,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prices_period" CHECK ("prices"."effective_to" IS NULL OR "prices"."effective_to" > "prices"."effective_from"),
	CONSTRAINT "prices_amounts_nonneg" CHECK (coalesce("prices"."amount_cents", 0) >= 0)
);
--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "invoice_title" text;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "invoice_tax_no" text;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "invoice_address_phone" text;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "invoice_bank_account" text;--> statement-breakpoint
ALTER TABLE "booking_fees" ADD CONSTRAINT "booking_fees_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_fees" ADD CONSTRAINT "booking_fees_confirmed_by_users_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_fees" ADD CONSTRAINT "booking_fees_payment_recorded_by_users_id_fk" FOREIGN KEY ("payment_recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_requests" ADD CONSTRAINT "invoice_requests_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_requests" ADD CONSTRAINT "invoice_requests_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_requests" ADD CONSTRAINT "invoice_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_requests" ADD CONSTRAINT "invoice_requests_issued_by_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prices" ADD CONSTRAINT "prices_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prices" ADD CONSTRAINT "prices_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "invoice_requests_booking_idx" ON "invoice_requests" USING btree ("booking_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoice_requests_one_open_uq" ON "invoice_requests" USING btree ("booking_id") WHERE "invoice_requests"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "prices_target_idx" ON "prices" USING btree ("target_kind","target_code","effective_from");