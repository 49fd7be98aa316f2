import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/time.js';
import type { Db } from '../db/client.js';
import { isBookingNumber } from './booking-number.js';
import * as repo from './bookings.repo.js';
import { STATUS_LABELS } from './lifecycle.js';
import { bookingProgress } from './progress.js';

export interface TrackQuery {
  number: string;
  /** The last four digits of the booking's contact mobile. */
  tail: string;
}

const sameDigits = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The public progress lookup behind the receipt's QR code: the booking number and the last four digits of the
 * contact's mobile. A wrong pair and an unknown number both answer undefined. What it returns is the stage and its
 * dates — no company, no items, no names — so a leaked receipt tells a stranger nothing else.
 */
export async function trackBooking(deps: { db: Db; clock: Clock }, query: TrackQuery) {
  const number = query.number.trim().toUpperCase();
  if (!isBookingNumber(number) || !/^\d{4}$/.test(query.tail)) return undefined;
  const booking = await repo.findBookingByNumber(deps.db, number);
  if (!booking || !sameDigits(booking.contactMobile.slice(-4), query.tail)) return undefined;
  const timeline = await repo.timelineOf(deps.db, booking.id);
  const progress = await bookingProgress(deps.db, booking, timeline, deps.clock.now());
  return { number: booking.number, status: booking.status, statusLabel: STATUS_LABELS[booking.status], date: booking.date, window: booking.window, progress };
}
