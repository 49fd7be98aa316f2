-- The lab queue's search by booking number within a node: a prefix range on the node's own numbers (keyset pages
-- then sort only the node's matches, not every node's).
CREATE INDEX IF NOT EXISTS "bookings_node_number_idx" ON "bookings" ("node_id", "number" text_pattern_ops);
