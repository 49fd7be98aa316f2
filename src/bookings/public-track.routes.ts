import { Router, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { queryText } from '../http/params.js';
import type { BookingsRoutesDeps } from './bookings.routes.js';
import { bookingViewLabels } from './bookings.view.js';

/**
 * GET /track — public: a booking's progress by its number and the last four digits of the contact's mobile (the
 * receipt's QR code opens it with the number filled in). Limited per address in the database, like /verify, so the
 * four digits cannot be tried through; a wrong pair and an unknown number get the same answer.
 */
export function publicTrackRoutes(deps: Pick<BookingsRoutesDeps, 'bookings' | 'rateLimitStore' | 'trackLimit'>): Router {
  const router = Router();
  const render = (res: Response, status: number, values: { no: string; tail: string }, outcome?: string, result?: unknown) =>
    res.status(status).render('bookings/track', { title: '办件进度查询', values, outcome, result, labels: bookingViewLabels });

  const limiter = rateLimit({
    windowMs: deps.trackLimit.windowMs,
    limit: deps.trackLimit.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: deps.rateLimitStore('track'),
    // Opening the form (the QR code fills in only the number) is not a guess.
    skip: (req) => !req.query.tail,
    handler: (req, res) => render(res, 429, { no: queryText(req.query.no, 30) ?? '', tail: '' }, 'limited'),
  });

  router.get('/track', limiter, async (req, res) => {
    const values = { no: queryText(req.query.no, 30) ?? '', tail: queryText(req.query.tail, 8) ?? '' };
    if (!values.no || !values.tail) return render(res, 200, values, values.tail ? 'incomplete' : undefined);
    const result = await deps.bookings.track({ number: values.no, tail: values.tail });
    render(res, result ? 200 : 404, { no: values.no, tail: '' }, result ? 'found' : 'not_found', result);
  });

  return router;
}
