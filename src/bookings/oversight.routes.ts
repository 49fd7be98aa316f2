import { Router } from 'express';
import { currentUser, requireAction } from '../http/guards.js';
import { pageParam, queryText } from '../http/params.js';
import type { BookingsService } from './bookings.service.js';
import { bookingViewLabels } from './bookings.view.js';
import { STATUS_GROUPS } from './oversight.js';

/** GET /admin/bookings — the read-only list behind a dashboard's figures and bars, in the administrator's scope. */
export function oversightRoutes(bookings: BookingsService): Router {
  const router = Router();
  router.get('/admin/bookings', requireAction('booking.oversee'), async (req, res) => {
    const query = {
      from: queryText(req.query.from, 10),
      to: queryText(req.query.to, 10),
      node: queryText(req.query.node, 9),
      park: queryText(req.query.park, 9),
      category: queryText(req.query.category, 30),
      service: queryText(req.query.service, 40),
      status: queryText(req.query.status, 120),
      level: queryText(req.query.level, 1),
      enterprise: queryText(req.query.enterprise, 9),
    };
    const result = await bookings.oversee(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('bookings/oversight', { title: '预约明细', ...result, query, groups: STATUS_GROUPS, labels: bookingViewLabels });
  });
  return router;
}
