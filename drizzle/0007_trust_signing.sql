CREATE TYPE "public"."revision_status" AS ENUM('entering', 'to_verify', 'verified', 'issued', 'withdrawn');--> statement-breakpoint
CREATE TABLE "report_revisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"booking_id" integer NOT NULL,
	"report_number" text NOT NULL,
	"version" integer NOT NULL,
	"status" "revision_status" DEFAULT 'entering' NOT NULL,
	"reason" text NOT NULL,
	"opened_by" integer NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"results_by" integer,
	"results_at" timestamp with time zone,
	"verified_by" integer,
	"verified_at" timestamp with time zone,
	"conclusion" text,
	"conclusion_remark" text,
	"report_id" integer,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "signatories" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"category_code" text,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"granted_by" integer,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" integer,
	CONSTRAINT "signatories_range" CHECK ("signatories"."valid_until" IS NULL OR "signatories"."valid_until" >= "signatories"."valid_from")
);
--> statement-breakpoint
DROP INDEX "results_booking_idx";--> statement-breakpoint
DROP INDEX "results_line_uq";--> statement-breakpoint
ALTER TABLE "oil_limits" ADD COLUMN "verified_by" integer;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD COLUMN "verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "pending_pdf_attachment_id" integer;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "pending_pdf_by" integer;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "pending_pdf_reason" text;--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "judgement_basis" text;--> statement-breakpoint
ALTER TABLE "report_revisions" ADD CONSTRAINT "report_revisions_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_revisions" ADD CONSTRAINT "report_revisions_opened_by_users_id_fk" FOREIGN KEY ("opened_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_revisions" ADD CONSTRAINT "report_revisions_results_by_users_id_fk" FOREIGN KEY ("results_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_revisions" ADD CONSTRAINT "report_revisions_verified_by_users_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_revisions" ADD CONSTRAINT "report_revisions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatories" ADD CONSTRAINT "signatories_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatories" ADD CONSTRAINT "signatories_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatories" ADD CONSTRAINT "signatories_category_code_service_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."service_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatories" ADD CONSTRAINT "signatories_granted_by_users_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatories" ADD CONSTRAINT "signatories_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "report_revisions_booking_idx" ON "report_revisions" USING btree ("booking_id");--> statement-breakpoint
CREATE UNIQUE INDEX "report_revisions_one_open_uq" ON "report_revisions" USING btree ("booking_id") WHERE "report_revisions"."status" IN ('entering', 'to_verify', 'verified');--> statement-breakpoint
CREATE INDEX "signatories_node_user_idx" ON "signatories" USING btree ("node_id","user_id");--> statement-breakpoint
ALTER TABLE "oil_limits" ADD CONSTRAINT "oil_limits_verified_by_users_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_pending_pdf_attachment_id_attachments_id_fk" FOREIGN KEY ("pending_pdf_attachment_id") REFERENCES "public"."attachments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_pending_pdf_by_users_id_fk" FOREIGN KEY ("pending_pdf_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "results_booking_idx" ON "results" USING btree ("booking_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "results_line_uq" ON "results" USING btree ("booking_id","version","booking_item_id","test_item_code");