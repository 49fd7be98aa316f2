import type { Db } from '../db/client.js';
import type { Clock } from '../shared/time.js';

/** What the walk-in window's use cases work with; built once by the composition root. Booking itself goes through
 *  the bookings feature's one path (its `onBehalf` methods), called by the window's routes. */
export interface WindowDeps {
  db: Db;
  clock: Clock;
}
