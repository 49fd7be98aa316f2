CREATE TABLE "booking_enterprise_parks" (
	"enterprise_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	CONSTRAINT "booking_enterprise_parks_park_id_enterprise_id_pk" PRIMARY KEY("park_id","enterprise_id")
);
--> statement-breakpoint
CREATE TABLE "booking_stats" (
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"node_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	"channel" "booking_channel" NOT NULL,
	"status" "booking_status" NOT NULL,
	"n" integer NOT NULL,
	"reported" integer NOT NULL,
	"turnaround_sum" integer NOT NULL,
	"on_time" integer NOT NULL,
	"ev1" integer NOT NULL,
	"ev2" integer NOT NULL,
	"ev3" integer NOT NULL,
	"ev4" integer NOT NULL,
	"ev5" integer NOT NULL,
	CONSTRAINT "booking_stats_grain_day_node_id_park_id_service_id_channel_status_pk" PRIMARY KEY("grain","day","node_id","park_id","service_id","channel","status")
);
--> statement-breakpoint
CREATE TABLE "booking_stats_turnaround" (
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"node_id" integer NOT NULL,
	"park_id" integer NOT NULL,
	"days" integer NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "booking_stats_turnaround_grain_day_node_id_park_id_days_pk" PRIMARY KEY("grain","day","node_id","park_id","days")
);
