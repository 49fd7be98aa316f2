import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './client.js';

/**
 * Reads that tolerate a second of lag (dashboards, exports, open data, the public catalog) go to a streaming replica
 * (DATABASE_READ_URL). Everything else stays on the primary, and so does:
 * - anything inside a transaction (`transaction` always opens on the primary);
 * - every read of a request made right after the same browser's own write (the request runs inside `onPrimary`,
 *   see src/http/read-after-write.ts), so a user never sees their own change missing;
 * - every read for a few seconds after a change of the shared catalog (`stickToPrimary`), so the catalog's cache is
 *   never refilled from a replica that has not replayed the change yet.
 */
export interface ReadRouting {
  /** The handle given to the read-heavy services: the replica, or the primary when one of the rules above applies. */
  readDb: Db;
  /** True when a separate replica is configured. */
  replicated: boolean;
  /** Runs `work` with every read of `readDb` on the primary (one request after its browser's own write). */
  onPrimary<T>(work: () => T): T;
  /** Sends every read of `readDb` to the primary for the next `ms` (after a change to shared cached data). */
  stickToPrimary(ms?: number): void;
  /** Which pool the next read would use: for tests and the benchmark. */
  target(): 'primary' | 'replica';
}

/** How long a write is assumed to take to reach the replica: well above the second of lag the replica is allowed. */
export const READ_AFTER_WRITE_MS = 5_000;

export function readRouting(primary: Db, replica: Db | undefined): ReadRouting {
  if (!replica || replica === primary) {
    return { readDb: primary, replicated: false, onPrimary: (work) => work(), stickToPrimary: () => undefined, target: () => 'primary' };
  }
  const pinned = new AsyncLocalStorage<true>();
  let primaryUntil = 0;
  const target = () => (pinned.getStore() || Date.now() < primaryUntil ? 'primary' : 'replica');
  const current = () => (target() === 'primary' ? primary : replica);
  const readDb = new Proxy(primary, {
    get(_target, prop) {
      // A transaction writes, or reads what it is about to write: always the primary.
      const db = prop === 'transaction' ? primary : current();
      const value = Reflect.get(db, prop, db) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(db) : value;
    },
  });
  return {
    readDb,
    replicated: true,
    onPrimary: (work) => pinned.run(true, work),
    stickToPrimary: (ms = READ_AFTER_WRITE_MS) => {
      primaryUntil = Math.max(primaryUntil, Date.now() + ms);
    },
    target,
  };
}
