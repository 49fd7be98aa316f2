-- Changes that signed-in pages kept in memory must notice (src/http/private-pages.ts). Every write to a table those
-- pages read adds, in the same transaction, one row per scope it touches: 'e:<company>', 'n:<node>', 'u:<user>', or
-- '*' (reference data every page may show). A kept page is served again only if no change of its scopes committed
-- after the snapshot taken before it was rendered. Rows are only inserted (no counter row to lock), and pruned.
CREATE TABLE "page_changes" (
  "scope" text NOT NULL,
  "xid" xid8 NOT NULL DEFAULT pg_current_xact_id()
);
--> statement-breakpoint
CREATE INDEX "page_changes_scope_xid" ON "page_changes" ("scope", "xid");
--> statement-breakpoint
CREATE INDEX "page_changes_xid" ON "page_changes" ("xid");
--> statement-breakpoint
-- An id kept as text (events.entity_id) as an integer, or NULL: never an error inside the writer's transaction.
CREATE FUNCTION page_changes_id(v text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v ~ '^[0-9]{1,9}$' THEN v::integer END
$$;
--> statement-breakpoint
-- Statement-level: one insert per statement whatever its number of rows. TG_ARGV[0] is the scopes of a row `r`.
CREATE FUNCTION page_changes_of_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    EXECUTE format('INSERT INTO page_changes (scope) SELECT DISTINCT s FROM new_rows r, unnest(%s) s WHERE s IS NOT NULL', TG_ARGV[0]);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE format('INSERT INTO page_changes (scope) SELECT DISTINCT s FROM old_rows r, unnest(%s) s WHERE s IS NOT NULL', TG_ARGV[0]);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION page_changes_everywhere() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO page_changes (scope) VALUES ('*');
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A person's name is shown to others (timelines, assignees, the queue): renaming or removing someone reaches every
-- page; a sign-in (last_login_at) or a setting of their own reaches only their company's, node's and own pages.
CREATE FUNCTION page_changes_of_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO page_changes (scope) SELECT DISTINCT s FROM new_rows r, unnest(ARRAY['u:' || r.id, 'e:' || r.enterprise_id, 'n:' || r.node_id]) s WHERE s IS NOT NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO page_changes (scope) SELECT DISTINCT s FROM old_rows r, unnest(ARRAY['u:' || r.id, 'e:' || r.enterprise_id, 'n:' || r.node_id]) s WHERE s IS NOT NULL;
  END IF;
  -- (nested: a condition naming old_rows cannot even be planned in an INSERT's trigger)
  IF TG_OP = 'DELETE' THEN
    INSERT INTO page_changes (scope) VALUES ('*');
  ELSIF TG_OP = 'UPDATE' THEN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.name IS DISTINCT FROM n.name) THEN
      INSERT INTO page_changes (scope) VALUES ('*');
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "bookings_page_changes_ins" AFTER INSERT ON "bookings" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "bookings_page_changes_upd" AFTER UPDATE ON "bookings" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "bookings_page_changes_del" AFTER DELETE ON "bookings" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "booking_fees_page_changes_ins" AFTER INSERT ON "booking_fees" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "booking_fees_page_changes_upd" AFTER UPDATE ON "booking_fees" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "booking_fees_page_changes_del" AFTER DELETE ON "booking_fees" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "booking_items_page_changes_ins" AFTER INSERT ON "booking_items" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "booking_items_page_changes_upd" AFTER UPDATE ON "booking_items" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "booking_items_page_changes_del" AFTER DELETE ON "booking_items" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "evaluations_page_changes_ins" AFTER INSERT ON "evaluations" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "evaluations_page_changes_upd" AFTER UPDATE ON "evaluations" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "evaluations_page_changes_del" AFTER DELETE ON "evaluations" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "need_bookings_page_changes_ins" AFTER INSERT ON "need_bookings" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "need_bookings_page_changes_upd" AFTER UPDATE ON "need_bookings" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "need_bookings_page_changes_del" AFTER DELETE ON "need_bookings" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "reports_page_changes_ins" AFTER INSERT ON "reports" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "reports_page_changes_upd" AFTER UPDATE ON "reports" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "reports_page_changes_del" AFTER DELETE ON "reports" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "report_revisions_page_changes_ins" AFTER INSERT ON "report_revisions" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "report_revisions_page_changes_upd" AFTER UPDATE ON "report_revisions" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "report_revisions_page_changes_del" AFTER DELETE ON "report_revisions" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "results_page_changes_ins" AFTER INSERT ON "results" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "results_page_changes_upd" AFTER UPDATE ON "results" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "results_page_changes_del" AFTER DELETE ON "results" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "invoice_requests_page_changes_ins" AFTER INSERT ON "invoice_requests" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "invoice_requests_page_changes_upd" AFTER UPDATE ON "invoice_requests" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "invoice_requests_page_changes_del" AFTER DELETE ON "invoice_requests" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "attachments_page_changes_ins" AFTER INSERT ON "attachments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id) || (SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = r.need_id)');
--> statement-breakpoint
CREATE TRIGGER "attachments_page_changes_upd" AFTER UPDATE ON "attachments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id) || (SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = r.need_id)');
--> statement-breakpoint
CREATE TRIGGER "attachments_page_changes_del" AFTER DELETE ON "attachments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id) || (SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = r.need_id)');
--> statement-breakpoint
CREATE TRIGGER "notifications_page_changes_ins" AFTER INSERT ON "notifications" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''u:'' || r.user_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "notifications_page_changes_upd" AFTER UPDATE ON "notifications" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''u:'' || r.user_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "notifications_page_changes_del" AFTER DELETE ON "notifications" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''u:'' || r.user_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id)');
--> statement-breakpoint
CREATE TRIGGER "events_page_changes_ins" AFTER INSERT ON "events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('CASE r.entity_type WHEN ''booking'' THEN (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = page_changes_id(r.entity_id)) WHEN ''equipment_booking'' THEN (SELECT ARRAY[''e:'' || q.enterprise_id, ''n:'' || q.node_id] FROM equipment_bookings q WHERE q.id = page_changes_id(r.entity_id)) WHEN ''instrument'' THEN (SELECT ARRAY[''e:'' || i.enterprise_id] FROM instruments i WHERE i.id = page_changes_id(r.entity_id)) WHEN ''need'' THEN (SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = page_changes_id(r.entity_id)) WHEN ''enterprise'' THEN ARRAY[''e:'' || page_changes_id(r.entity_id)] WHEN ''report'' THEN (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM reports p JOIN bookings b ON b.id = p.booking_id WHERE p.id = page_changes_id(r.entity_id)) WHEN ''queue_ticket'' THEN (SELECT ARRAY[''n:'' || q.node_id] FROM queue_tickets q WHERE q.id = page_changes_id(r.entity_id)) WHEN ''chain'' THEN (SELECT ARRAY[''e:'' || c.enterprise_id] FROM chain_requests c WHERE c.id = page_changes_id(r.entity_id)) WHEN ''instrument_import'' THEN (SELECT ARRAY[''e:'' || m.enterprise_id] FROM instrument_imports m WHERE m.id = page_changes_id(r.entity_id)) WHEN ''user'' THEN (SELECT ARRAY[''u:'' || u.id, ''e:'' || u.enterprise_id, ''n:'' || u.node_id] FROM users u WHERE u.id = page_changes_id(r.entity_id)) WHEN ''outbox'' THEN NULL WHEN ''webhook'' THEN NULL WHEN ''api_key'' THEN NULL ELSE ARRAY[''*''] END');
--> statement-breakpoint
CREATE TRIGGER "events_page_changes_upd" AFTER UPDATE ON "events" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('CASE r.entity_type WHEN ''booking'' THEN (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = page_changes_id(r.entity_id)) WHEN ''equipment_booking'' THEN (SELECT ARRAY[''e:'' || q.enterprise_id, ''n:'' || q.node_id] FROM equipment_bookings q WHERE q.id = page_changes_id(r.entity_id)) WHEN ''instrument'' THEN (SELECT ARRAY[''e:'' || i.enterprise_id] FROM instruments i WHERE i.id = page_changes_id(r.entity_id)) WHEN ''need'' THEN (SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = page_changes_id(r.entity_id)) WHEN ''enterprise'' THEN ARRAY[''e:'' || page_changes_id(r.entity_id)] WHEN ''report'' THEN (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM reports p JOIN bookings b ON b.id = p.booking_id WHERE p.id = page_changes_id(r.entity_id)) WHEN ''queue_ticket'' THEN (SELECT ARRAY[''n:'' || q.node_id] FROM queue_tickets q WHERE q.id = page_changes_id(r.entity_id)) WHEN ''chain'' THEN (SELECT ARRAY[''e:'' || c.enterprise_id] FROM chain_requests c WHERE c.id = page_changes_id(r.entity_id)) WHEN ''instrument_import'' THEN (SELECT ARRAY[''e:'' || m.enterprise_id] FROM instrument_imports m WHERE m.id = page_changes_id(r.entity_id)) WHEN ''user'' THEN (SELECT ARRAY[''u:'' || u.id, ''e:'' || u.enterprise_id, ''n:'' || u.node_id] FROM users u WHERE u.id = page_changes_id(r.entity_id)) WHEN ''outbox'' THEN NULL WHEN ''webhook'' THEN NULL WHEN ''api_key'' THEN NULL ELSE ARRAY[''*''] END');
--> statement-breakpoint
CREATE TRIGGER "events_page_changes_del" AFTER DELETE ON "events" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('CASE r.entity_type WHEN ''booking'' THEN (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = page_changes_id(r.entity_id)) WHEN ''equipment_booking'' THEN (SELECT ARRAY[''e:'' || q.enterprise_id, ''n:'' || q.node_id] FROM equipment_bookings q WHERE q.id = page_changes_id(r.entity_id)) WHEN ''instrument'' THEN (SELECT ARRAY[''e:'' || i.enterprise_id] FROM instruments i WHERE i.id = page_changes_id(r.entity_id)) WHEN ''need'' THEN (SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = page_changes_id(r.entity_id)) WHEN ''enterprise'' THEN ARRAY[''e:'' || page_changes_id(r.entity_id)] WHEN ''report'' THEN (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM reports p JOIN bookings b ON b.id = p.booking_id WHERE p.id = page_changes_id(r.entity_id)) WHEN ''queue_ticket'' THEN (SELECT ARRAY[''n:'' || q.node_id] FROM queue_tickets q WHERE q.id = page_changes_id(r.entity_id)) WHEN ''chain'' THEN (SELECT ARRAY[''e:'' || c.enterprise_id] FROM chain_requests c WHERE c.id = page_changes_id(r.entity_id)) WHEN ''instrument_import'' THEN (SELECT ARRAY[''e:'' || m.enterprise_id] FROM instrument_imports m WHERE m.id = page_changes_id(r.entity_id)) WHEN ''user'' THEN (SELECT ARRAY[''u:'' || u.id, ''e:'' || u.enterprise_id, ''n:'' || u.node_id] FROM users u WHERE u.id = page_changes_id(r.entity_id)) WHEN ''outbox'' THEN NULL WHEN ''webhook'' THEN NULL WHEN ''api_key'' THEN NULL ELSE ARRAY[''*''] END');
--> statement-breakpoint
CREATE TRIGGER "instruments_page_changes_ins" AFTER INSERT ON "instruments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "instruments_page_changes_upd" AFTER UPDATE ON "instruments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "instruments_page_changes_del" AFTER DELETE ON "instruments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "ledger_settings_page_changes_ins" AFTER INSERT ON "ledger_settings" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "ledger_settings_page_changes_upd" AFTER UPDATE ON "ledger_settings" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "ledger_settings_page_changes_del" AFTER DELETE ON "ledger_settings" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "reminders_sent_page_changes_ins" AFTER INSERT ON "reminders_sent" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "reminders_sent_page_changes_upd" AFTER UPDATE ON "reminders_sent" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "reminders_sent_page_changes_del" AFTER DELETE ON "reminders_sent" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "instrument_imports_page_changes_ins" AFTER INSERT ON "instrument_imports" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''u:'' || r.user_id]');
--> statement-breakpoint
CREATE TRIGGER "instrument_imports_page_changes_upd" AFTER UPDATE ON "instrument_imports" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''u:'' || r.user_id]');
--> statement-breakpoint
CREATE TRIGGER "instrument_imports_page_changes_del" AFTER DELETE ON "instrument_imports" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''u:'' || r.user_id]');
--> statement-breakpoint
CREATE TRIGGER "needs_page_changes_ins" AFTER INSERT ON "needs" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "needs_page_changes_upd" AFTER UPDATE ON "needs" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "needs_page_changes_del" AFTER DELETE ON "needs" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "need_messages_page_changes_ins" AFTER INSERT ON "need_messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = r.need_id)');
--> statement-breakpoint
CREATE TRIGGER "need_messages_page_changes_upd" AFTER UPDATE ON "need_messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = r.need_id)');
--> statement-breakpoint
CREATE TRIGGER "need_messages_page_changes_del" AFTER DELETE ON "need_messages" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''e:'' || n.enterprise_id] FROM needs n WHERE n.id = r.need_id)');
--> statement-breakpoint
CREATE TRIGGER "chain_requests_page_changes_ins" AFTER INSERT ON "chain_requests" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "chain_requests_page_changes_upd" AFTER UPDATE ON "chain_requests" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "chain_requests_page_changes_del" AFTER DELETE ON "chain_requests" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "chain_steps_page_changes_ins" AFTER INSERT ON "chain_steps" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''n:'' || r.node_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id) || (SELECT ARRAY[''e:'' || c.enterprise_id] FROM chain_requests c WHERE c.id = r.chain_id)');
--> statement-breakpoint
CREATE TRIGGER "chain_steps_page_changes_upd" AFTER UPDATE ON "chain_steps" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''n:'' || r.node_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id) || (SELECT ARRAY[''e:'' || c.enterprise_id] FROM chain_requests c WHERE c.id = r.chain_id)');
--> statement-breakpoint
CREATE TRIGGER "chain_steps_page_changes_del" AFTER DELETE ON "chain_steps" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''n:'' || r.node_id] || (SELECT ARRAY[''e:'' || b.enterprise_id, ''n:'' || b.node_id] FROM bookings b WHERE b.id = r.booking_id) || (SELECT ARRAY[''e:'' || c.enterprise_id] FROM chain_requests c WHERE c.id = r.chain_id)');
--> statement-breakpoint
CREATE TRIGGER "invitations_page_changes_ins" AFTER INSERT ON "invitations" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "invitations_page_changes_upd" AFTER UPDATE ON "invitations" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "invitations_page_changes_del" AFTER DELETE ON "invitations" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "join_requests_page_changes_ins" AFTER INSERT ON "join_requests" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''u:'' || r.user_id]');
--> statement-breakpoint
CREATE TRIGGER "join_requests_page_changes_upd" AFTER UPDATE ON "join_requests" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''u:'' || r.user_id]');
--> statement-breakpoint
CREATE TRIGGER "join_requests_page_changes_del" AFTER DELETE ON "join_requests" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''u:'' || r.user_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_suspensions_page_changes_ins" AFTER INSERT ON "equipment_suspensions" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_suspensions_page_changes_upd" AFTER UPDATE ON "equipment_suspensions" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_suspensions_page_changes_del" AFTER DELETE ON "equipment_suspensions" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_bookings_page_changes_ins" AFTER INSERT ON "equipment_bookings" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_bookings_page_changes_upd" AFTER UPDATE ON "equipment_bookings" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_bookings_page_changes_del" AFTER DELETE ON "equipment_bookings" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "equipment_trainings_page_changes_ins" AFTER INSERT ON "equipment_trainings" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''u:'' || r.user_id] || (SELECT ARRAY[''e:'' || u.enterprise_id] FROM users u WHERE u.id = r.user_id)');
--> statement-breakpoint
CREATE TRIGGER "equipment_trainings_page_changes_upd" AFTER UPDATE ON "equipment_trainings" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''u:'' || r.user_id] || (SELECT ARRAY[''e:'' || u.enterprise_id] FROM users u WHERE u.id = r.user_id)');
--> statement-breakpoint
CREATE TRIGGER "equipment_trainings_page_changes_del" AFTER DELETE ON "equipment_trainings" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''u:'' || r.user_id] || (SELECT ARRAY[''e:'' || u.enterprise_id] FROM users u WHERE u.id = r.user_id)');
--> statement-breakpoint
CREATE TRIGGER "window_cases_page_changes_ins" AFTER INSERT ON "window_cases" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "window_cases_page_changes_upd" AFTER UPDATE ON "window_cases" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "window_cases_page_changes_del" AFTER DELETE ON "window_cases" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''e:'' || r.enterprise_id, ''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "queue_tickets_page_changes_ins" AFTER INSERT ON "queue_tickets" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "queue_tickets_page_changes_upd" AFTER UPDATE ON "queue_tickets" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "queue_tickets_page_changes_del" AFTER DELETE ON "queue_tickets" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('ARRAY[''n:'' || r.node_id]');
--> statement-breakpoint
CREATE TRIGGER "capacity_windows_page_changes_ins" AFTER INSERT ON "capacity_windows" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''n:'' || ns.node_id] FROM node_services ns WHERE ns.id = r.node_service_id)');
--> statement-breakpoint
CREATE TRIGGER "capacity_windows_page_changes_upd" AFTER UPDATE ON "capacity_windows" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''n:'' || ns.node_id] FROM node_services ns WHERE ns.id = r.node_service_id)');
--> statement-breakpoint
CREATE TRIGGER "capacity_windows_page_changes_del" AFTER DELETE ON "capacity_windows" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_rows('(SELECT ARRAY[''n:'' || ns.node_id] FROM node_services ns WHERE ns.id = r.node_service_id)');
--> statement-breakpoint
CREATE TRIGGER "users_page_changes_ins" AFTER INSERT ON "users" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_users();
--> statement-breakpoint
CREATE TRIGGER "users_page_changes_upd" AFTER UPDATE ON "users" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_users();
--> statement-breakpoint
CREATE TRIGGER "users_page_changes_del" AFTER DELETE ON "users" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_changes_of_users();
--> statement-breakpoint
CREATE TRIGGER "services_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "services" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "service_categories_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "service_categories" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "nodes_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "nodes" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "parks_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "parks" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "node_services_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "node_services" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "node_service_windows_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "node_service_windows" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "prices_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "prices" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "fee_rules_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "fee_rules" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "closures_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "closures" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "calendar_days_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "calendar_days" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "instrument_categories_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "instrument_categories" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "oil_editions_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "oil_editions" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "oil_grades_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "oil_grades" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "oil_limits_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "oil_limits" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "oil_packages_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "oil_packages" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "oil_test_items_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "oil_test_items" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "bundles_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "bundles" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "bundle_steps_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "bundle_steps" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "sharing_rules_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sharing_rules" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "measurement_standards_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "measurement_standards" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "signatories_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "signatories" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "equipment_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "equipment" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "experts_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "experts" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
--> statement-breakpoint
CREATE TRIGGER "enterprises_page_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "enterprises" FOR EACH STATEMENT EXECUTE FUNCTION page_changes_everywhere();
