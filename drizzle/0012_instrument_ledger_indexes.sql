-- Instrument ledger (issue 13): indexes drizzle-kit cannot express (partial, INCLUDE).
-- The daily reminder job reads every in-use instrument due within 30 days (or overdue), across all companies.
CREATE INDEX IF NOT EXISTS "instruments_reminder_idx" ON "instruments" ("next_due_date")
  INCLUDE ("enterprise_id") WHERE "status" = 'in_use';
--> statement-breakpoint
-- Park and city compliance aggregate the in-use 强检 instruments of each company: an index-only scan of this one.
CREATE INDEX IF NOT EXISTS "instruments_compliance_idx" ON "instruments" ("enterprise_id")
  INCLUDE ("next_due_date", "conclusion") WHERE "compulsory" AND "status" = 'in_use';
