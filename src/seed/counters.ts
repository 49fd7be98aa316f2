import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { bookingCounters } from '../db/schema.js';

/**
 * Numbering counters after the demo rows: each (prefix, day) at least the last number the seed gave, so that numbers
 * the application gives next follow on. One statement for all of them ("prefix|day" → last number).
 */
export async function raiseCounters(tx: Executor, counters: Map<string, number>): Promise<void> {
  if (counters.size === 0) return;
  const rows = JSON.stringify(
    [...counters].map(([key, last]) => {
      const [prefix, day] = key.split('|') as [string, string];
      return { prefix, day, last };
    }),
  );
  await tx.execute(sql`
    INSERT INTO ${bookingCounters} (prefix, day, last)
    SELECT c.prefix, c.day, c.last FROM jsonb_to_recordset(${rows}::jsonb) AS c(prefix text, day date, last integer)
    ON CONFLICT (prefix, day) DO UPDATE SET last = GREATEST(${bookingCounters.last}, EXCLUDED.last)`);
}
