CREATE TABLE "calendar_feeds" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "calendar_feeds_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "instrument_imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"enterprise_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"file_name" text NOT NULL,
	"rows" jsonb NOT NULL,
	"total" integer NOT NULL,
	"valid" integer NOT NULL,
	"imported_at" timestamp with time zone,
	"imported_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instrument_imports_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE "instruments" (
	"id" serial PRIMARY KEY NOT NULL,
	"enterprise_id" integer NOT NULL,
	"category_code" text NOT NULL,
	"name" text NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"serial_no" text NOT NULL,
	"serial_key" text NOT NULL,
	"manufacturer" text DEFAULT '' NOT NULL,
	"measuring_range" text DEFAULT '' NOT NULL,
	"accuracy_class" text DEFAULT '' NOT NULL,
	"department" text DEFAULT '' NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"compulsory" boolean DEFAULT false NOT NULL,
	"compulsory_use" text,
	"regime" text DEFAULT 'periodic' NOT NULL,
	"period_months" integer,
	"status" text DEFAULT 'in_use' NOT NULL,
	"last_calibration_date" date,
	"certificate_no" text,
	"conclusion" text,
	"next_due_date" date,
	"due_source" text,
	"report_booking_id" integer,
	"report_version" integer,
	"created_by" integer,
	"updated_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instruments_status_valid" CHECK ("instruments"."status" IN ('in_use', 'stopped', 'sealed', 'scrapped')),
	CONSTRAINT "instruments_regime_valid" CHECK ("instruments"."regime" IN ('periodic', 'limited_life')),
	CONSTRAINT "instruments_use_valid" CHECK ("instruments"."compulsory_use" IS NULL OR "instruments"."compulsory_use" IN ('trade', 'safety', 'medical', 'environment')),
	CONSTRAINT "instruments_conclusion_valid" CHECK ("instruments"."conclusion" IS NULL OR "instruments"."conclusion" IN ('pass', 'fail', 'calibrated')),
	CONSTRAINT "instruments_period_range" CHECK ("instruments"."period_months" IS NULL OR "instruments"."period_months" BETWEEN 1 AND 240)
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"job" text NOT NULL,
	"day" date NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"stats" jsonb,
	CONSTRAINT "job_runs_job_day_pk" PRIMARY KEY("job","day")
);
--> statement-breakpoint
CREATE TABLE "ledger_settings" (
	"enterprise_id" integer PRIMARY KEY NOT NULL,
	"email_reminders" boolean DEFAULT false NOT NULL,
	"updated_by" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 10 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "outbox_kind_valid" CHECK ("outbox"."kind" IN ('email', 'webhook')),
	CONSTRAINT "outbox_status_valid" CHECK ("outbox"."status" IN ('pending', 'sent', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "reminders_sent" (
	"instrument_id" integer NOT NULL,
	"due_date" date NOT NULL,
	"threshold" text NOT NULL,
	"enterprise_id" integer NOT NULL,
	"sent_on" date NOT NULL,
	CONSTRAINT "reminders_sent_instrument_id_due_date_threshold_pk" PRIMARY KEY("instrument_id","due_date","threshold")
);
--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instrument_imports" ADD CONSTRAINT "instrument_imports_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instrument_imports" ADD CONSTRAINT "instrument_imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_category_code_instrument_categories_code_fk" FOREIGN KEY ("category_code") REFERENCES "public"."instrument_categories"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_report_booking_id_bookings_id_fk" FOREIGN KEY ("report_booking_id") REFERENCES "public"."bookings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_settings" ADD CONSTRAINT "ledger_settings_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_settings" ADD CONSTRAINT "ledger_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders_sent" ADD CONSTRAINT "reminders_sent_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feeds_one_active_uq" ON "calendar_feeds" USING btree ("user_id") WHERE "calendar_feeds"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "instrument_imports_user_idx" ON "instrument_imports" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "instruments_serial_uq" ON "instruments" USING btree ("enterprise_id","category_code","serial_key");--> statement-breakpoint
CREATE INDEX "instruments_enterprise_due_idx" ON "instruments" USING btree ("enterprise_id","next_due_date","id");--> statement-breakpoint
CREATE INDEX "instruments_enterprise_name_idx" ON "instruments" USING btree ("enterprise_id","name","id");--> statement-breakpoint
CREATE INDEX "instruments_enterprise_serial_idx" ON "instruments" USING btree ("enterprise_id","serial_no");--> statement-breakpoint
CREATE INDEX "instruments_enterprise_last_idx" ON "instruments" USING btree ("enterprise_id","last_calibration_date");--> statement-breakpoint
CREATE INDEX "instruments_enterprise_department_idx" ON "instruments" USING btree ("enterprise_id","department","next_due_date");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_status_idx" ON "outbox" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "reminders_sent_day_idx" ON "reminders_sent" USING btree ("sent_on");