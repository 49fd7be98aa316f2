import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';

/**
 * The demo's first load into a new embedded database, the way pg_restore loads a dump: the rows first, with
 * PostgreSQL's per-row trigger work switched off (`session_replication_role = replica`: the foreign-key checks —
 * eleven lookups for every booking written — and the dashboards' rollup triggers), then every foreign key of the
 * schema checked once over whole tables and the rollup rebuilt from the bookings. Unique, check and exclusion
 * constraints stay on throughout. A first start's demo seed took a fifth less time this way.
 *
 * Only where the seed has the database to itself: the embedded database is one session, and nothing is served
 * before the seed ends. (On a PostgreSQL server the setting would hold for one pooled connection only.)
 */
export async function asBulkLoad(db: Db, load: () => Promise<void>): Promise<void> {
  await db.execute(sql`SET session_replication_role = replica`);
  try {
    await load();
  } finally {
    await db.execute(sql`SET session_replication_role = DEFAULT`);
  }
  await assertForeignKeysHold(db);
  await db.execute(sql`SELECT booking_stats_rebuild()`);
}

/**
 * Every foreign key of the schema, checked over whole tables (a row whose key columns are all set must find its
 * parent); throws naming the first one broken. One statement: PL/pgSQL runs the checks where the data is.
 */
export async function assertForeignKeysHold(db: Db): Promise<void> {
  await db.execute(
    sql.raw(`DO $$
DECLARE
  fk record;
  broken bigint;
BEGIN
  FOR fk IN
    SELECT con.conname, con.conrelid::regclass AS child, con.confrelid::regclass AS parent,
           (SELECT string_agg(format('c.%I', a.attname), ', ' ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY AS k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS child_columns,
           (SELECT string_agg(format('p.%I', a.attname), ', ' ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY AS k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS parent_columns,
           (SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ') FROM unnest(con.conkey) AS k(n) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS all_set
      FROM pg_constraint con JOIN pg_namespace ns ON ns.oid = con.connamespace
     WHERE con.contype = 'f' AND ns.nspname = 'public'
  LOOP
    EXECUTE format('SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE (%s) = (%s))', fk.child, fk.all_set, fk.parent, fk.parent_columns, fk.child_columns) INTO broken;
    IF broken > 0 THEN
      RAISE EXCEPTION 'foreign key % of % broken by % row(s)', fk.conname, fk.child, broken;
    END IF;
  END LOOP;
END $$`),
  );
}
