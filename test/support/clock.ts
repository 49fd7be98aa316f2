import type { Clock } from '../../src/shared/time.js';

/** A clock the test moves forward, to run a booking through days (acceptance, report) with real working days. */
export function settableClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return {
    now: () => now,
    set(next: string) {
      now = new Date(next);
    },
  };
}
