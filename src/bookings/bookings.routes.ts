import { Router } from 'express';
import type { Store } from 'express-rate-limit';
import { bookingActionRoutes } from './booking-actions.routes.js';
import { bookingFormRoutes } from './booking-form.routes.js';
import { bookingTrackingRoutes } from './booking-tracking.routes.js';
import type { BookingsService } from './bookings.service.js';
import { oversightRoutes } from './oversight.routes.js';
import { publicTrackRoutes } from './public-track.routes.js';
import type { LedgerPicks } from './booking-pages.routes.js';

export type { LedgerPicks } from './booking-pages.routes.js';

export interface BookingsRoutesDeps {
  bookings: BookingsService;
  publicUrl: string;
  rateLimitStore: (prefix: string) => Store;
  /** Public progress lookups per address. */
  trackLimit: { limit: number; windowMs: number };
  /** The instrument ledger's part of the booking form, when the ledger exists. */
  ledger?: LedgerPicks;
}

/** The bookings feature's routers: the form, following bookings, the public progress lookup, the company's actions. */
export function bookingsRoutes(deps: BookingsRoutesDeps): Router {
  const router = Router();
  router.use(publicTrackRoutes(deps));
  router.use(oversightRoutes(deps.bookings));
  router.use(bookingFormRoutes(deps.bookings, deps.rateLimitStore, deps.ledger));
  router.use(bookingTrackingRoutes(deps.bookings, deps.publicUrl));
  router.use(bookingActionRoutes(deps.bookings));
  return router;
}
