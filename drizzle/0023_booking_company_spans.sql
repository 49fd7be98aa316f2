CREATE TABLE "booking_company_node_spans" (
	"node_id" integer NOT NULL,
	"enterprise_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "booking_company_node_spans_node_id_enterprise_id_park_id_pk" PRIMARY KEY("node_id","enterprise_id","park_id")
);
--> statement-breakpoint
CREATE TABLE "booking_company_spans" (
	"enterprise_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "booking_company_spans_enterprise_id_park_id_pk" PRIMARY KEY("enterprise_id","park_id")
);
--> statement-breakpoint
DROP TABLE "booking_enterprise_parks" CASCADE;