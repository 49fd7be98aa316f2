import { Router } from 'express';
import { bookingActionRoutes } from './booking-actions.routes.js';
import { bookingFormRoutes } from './booking-form.routes.js';
import { bookingTrackingRoutes } from './booking-tracking.routes.js';
import type { BookingsService } from './bookings.service.js';
import type { LedgerPicks } from './booking-pages.routes.js';

export type { LedgerPicks } from './booking-pages.routes.js';

/** The bookings feature's routers: the form, following bookings, and the company's actions on one. */
export function bookingsRoutes(deps: { bookings: BookingsService; publicUrl: string; ledger?: LedgerPicks }): Router {
  const router = Router();
  router.use(bookingFormRoutes(deps.bookings, deps.ledger));
  router.use(bookingTrackingRoutes(deps.bookings, deps.publicUrl));
  router.use(bookingActionRoutes(deps.bookings));
  return router;
}
