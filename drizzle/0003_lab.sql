CREATE TYPE "public"."report_status" AS ENUM('valid', 'replaced', 'revoked');--> statement-breakpoint
CREATE TABLE "evaluations" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"level" integer NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluations_booking_id_unique" UNIQUE("booking_id"),
	CONSTRAINT "evaluations_level_range" CHECK ("evaluations"."level" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"number" text NOT NULL,
	"version" integer NOT NULL,
	"verification_code" text NOT NULL,
	"verify_token" text NOT NULL,
	"status" "report_status" DEFAULT 'valid' NOT NULL,
	"conclusion" text NOT NULL,
	"content" jsonb NOT NULL,
	"tester_id" integer,
	"verifier_id" integer,
	"approver_id" integer NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"pdf_attachment_id" integer,
	"replaced_by_id" integer,
	"revision_reason" text,
	"revoked_reason" text,
	"revoked_at" timestamp with time zone,
	"revoked_by" integer,
	CONSTRAINT "reports_verify_token_unique" UNIQUE("verify_token")
);
--> statement-breakpoint
CREATE TABLE "results" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"booking_item_id" integer NOT NULL,
	"test_item_code" text,
	"value_text" text,
	"value_number" double precision,
	"unit" text,
	"limit_text" text,
	"limit_source" text,
	"judgement" text,
	"conclusion" text,
	"certificate_no" text,
	"next_due_date" date,
	"points" jsonb,
	"remark" text
);
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "visit_date" date;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "results_by" integer;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "results_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "verified_by" integer;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "conclusion" text;--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "conclusion_remark" text;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_tester_id_users_id_fk" FOREIGN KEY ("tester_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_verifier_id_users_id_fk" FOREIGN KEY ("verifier_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_approver_id_users_id_fk" FOREIGN KEY ("approver_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_pdf_attachment_id_attachments_id_fk" FOREIGN KEY ("pdf_attachment_id") REFERENCES "public"."attachments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_booking_item_id_booking_items_id_fk" FOREIGN KEY ("booking_item_id") REFERENCES "public"."booking_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "results" ADD CONSTRAINT "results_test_item_code_oil_test_items_code_fk" FOREIGN KEY ("test_item_code") REFERENCES "public"."oil_test_items"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reports_number_version_uq" ON "reports" USING btree ("number","version");--> statement-breakpoint
CREATE INDEX "reports_booking_idx" ON "reports" USING btree ("booking_id","version");--> statement-breakpoint
CREATE INDEX "results_booking_idx" ON "results" USING btree ("booking_id");--> statement-breakpoint
CREATE UNIQUE INDEX "results_line_uq" ON "results" USING btree ("booking_id","booking_item_id","test_item_code");--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_results_by_users_id_fk" FOREIGN KEY ("results_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_verified_by_users_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;