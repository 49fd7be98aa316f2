import { pgErrorCode, type Db, type Tx } from './client.js';

const RETRYABLE = new Set(['40P01', '40001']); // deadlock detected, serialization failure

/**
 * Runs `work` in a transaction and runs it again (up to 3 times) when PostgreSQL aborts it as a deadlock victim —
 * e.g. two reschedules moving units between the same two windows in opposite directions at the same instant.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (err) {
      if (attempt >= 3 || !RETRYABLE.has(pgErrorCode(err) ?? '')) throw err;
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
}
