CREATE TYPE "public"."calendar_day_kind" AS ENUM('holiday', 'workday');--> statement-breakpoint
CREATE TABLE "calendar_days" (
	"date" date PRIMARY KEY NOT NULL,
	"kind" "calendar_day_kind" NOT NULL,
	"name" text NOT NULL,
	"year" integer NOT NULL,
	"source" text NOT NULL,
	"entered_by" integer NOT NULL,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "node_service_windows" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_service_id" integer NOT NULL,
	"weekday" integer NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"capacity" integer NOT NULL,
	"on_holidays" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "node_service_windows_weekday" CHECK ("node_service_windows"."weekday" BETWEEN 1 AND 7),
	CONSTRAINT "node_service_windows_capacity" CHECK ("node_service_windows"."capacity" >= 0),
	CONSTRAINT "node_service_windows_code" CHECK ("node_service_windows"."code" ~ '^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$')
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "large_text" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "calendar_days" ADD CONSTRAINT "calendar_days_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_service_windows" ADD CONSTRAINT "node_service_windows_node_service_id_node_services_id_fk" FOREIGN KEY ("node_service_id") REFERENCES "public"."node_services"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "calendar_days_year_idx" ON "calendar_days" USING btree ("year");--> statement-breakpoint
CREATE UNIQUE INDEX "node_service_windows_uq" ON "node_service_windows" USING btree ("node_service_id","weekday","code");