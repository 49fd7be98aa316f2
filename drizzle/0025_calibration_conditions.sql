CREATE TABLE "measurement_standards" (
	"id" serial PRIMARY KEY NOT NULL,
	"node_id" integer NOT NULL,
	"name" text NOT NULL,
	"certificate_no" text NOT NULL,
	"measuring_range" text NOT NULL,
	"accuracy" text NOT NULL,
	"valid_until" date NOT NULL,
	"category_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"retired_by" integer
);
--> statement-breakpoint
ALTER TABLE "results" ADD COLUMN "conditions" jsonb;--> statement-breakpoint
ALTER TABLE "measurement_standards" ADD CONSTRAINT "measurement_standards_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measurement_standards" ADD CONSTRAINT "measurement_standards_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "measurement_standards" ADD CONSTRAINT "measurement_standards_retired_by_users_id_fk" FOREIGN KEY ("retired_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "measurement_standards_node_idx" ON "measurement_standards" USING btree ("node_id");