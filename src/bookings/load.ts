import { assertCan, type Action, type Principal, type PrincipalFor } from '../auth/access.js';
import type { Executor } from '../db/client.js';
import { NotFoundError } from '../shared/errors.js';
import { findBookingByNumber, type BookingView } from './bookings.repo.js';

/**
 * The one way a use case reads a booking by its number for a user: not found and out of scope look the same (404),
 * a role that may never take the action gets 403. Returns the booking and the user narrowed to the acting roles.
 */
export async function loadBookingFor<A extends Action>(ex: Executor, user: Principal, number: string, action: A): Promise<{ booking: BookingView; user: PrincipalFor<A> }> {
  const booking = await findBookingByNumber(ex, number);
  if (!booking) {
    assertCan(user, action); // the wrong role learns nothing about which numbers exist
    throw new NotFoundError('该预约不存在，或您无权查看。');
  }
  assertCan(user, action, { enterpriseId: booking.enterpriseId, nodeId: booking.nodeId, parkId: booking.parkId });
  return { booking, user };
}
