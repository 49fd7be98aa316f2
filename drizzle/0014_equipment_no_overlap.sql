-- Open sharing (issue 17): an instrument is never double-booked. Rows that hold it (requested, approved, in use, used —
-- maintenance blocks included) may not overlap in time on the same instrument. Two concurrent requests for overlapping
-- hours both pass every check in code; the second insert to commit is refused here (SQLSTATE 23P01).
-- btree_gist lets a GiST index compare the plain integer equipment_id with "=" next to the range's "&&"
-- (a trusted extension since PostgreSQL 13: the database owner may create it; PGlite loads it on open).
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE equipment_bookings ADD CONSTRAINT equipment_bookings_no_overlap
  EXCLUDE USING gist (equipment_id WITH =, (tstzrange(starts_at, ends_at, '[)')) WITH &&)
  WHERE (status IN ('requested', 'approved', 'checked_in', 'checked_out'));
--> statement-breakpoint
-- The platform's sharing rules start with 3 no-shows in 90 days → 30 days without self-booking (editable by the platform).
INSERT INTO sharing_rules (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
