CREATE TABLE "oil_editions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"families" text[] NOT NULL,
	"bookable" boolean NOT NULL,
	"notice" text,
	"sort_order" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "oil_limits_item_grade_uq";--> statement-breakpoint
ALTER TABLE "booking_items" ADD COLUMN "grade_variant" text;--> statement-breakpoint
ALTER TABLE "booking_items" ADD COLUMN "sulphur_requirement" text;--> statement-breakpoint
ALTER TABLE "booking_items" ADD COLUMN "bdn_no" text;--> statement-breakpoint
ALTER TABLE "oil_grades" ADD COLUMN "short_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "oil_grades" ADD COLUMN "name_en" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "oil_grades" ADD COLUMN "editions" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "oil_grades" ADD COLUMN "variants" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "oil_grades" ADD COLUMN "sulphur_note" text;--> statement-breakpoint
ALTER TABLE "oil_grades" ADD COLUMN "remark" text;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD COLUMN "edition" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD COLUMN "variant" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD COLUMN "criterion_en" text;--> statement-breakpoint
ALTER TABLE "oil_limits" ADD COLUMN "condition" text;--> statement-breakpoint
ALTER TABLE "oil_packages" ADD COLUMN "grade_codes" text[];--> statement-breakpoint
ALTER TABLE "oil_packages" ADD COLUMN "remark" text;--> statement-breakpoint
ALTER TABLE "oil_test_items" ADD COLUMN "remark" text;--> statement-breakpoint
-- Limits seeded before editions existed belong to the edition their grade was seeded for.
UPDATE "oil_limits" SET "edition" = CASE
  WHEN "grade_code" LIKE 'ISO8217-%' THEN 'ISO 8217:2017'
  WHEN "grade_code" LIKE 'GB19147%' THEN 'GB 19147-2016'
  WHEN "grade_code" LIKE 'GB17930%' THEN 'GB 17930-2016'
  ELSE "edition" END
WHERE "edition" = '';--> statement-breakpoint
CREATE UNIQUE INDEX "oil_limits_item_grade_uq" ON "oil_limits" USING btree ("item_code","grade_code","edition","variant");