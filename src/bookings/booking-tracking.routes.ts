import { Router } from 'express';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { idParam, pageParam, queryDate, queryText } from '../http/params.js';
import { bookingNumberParam } from './booking-number.js';
import { bookingPages } from './booking-pages.routes.js';
import { bookingHref, bookingViewLabels, receiptTitle, trackHref } from './bookings.view.js';
import type { BookingsService } from './bookings.service.js';
import { BOOKING_STATUSES } from './lifecycle.js';
import { sendDocument } from '../http/send-document.js';
import { qrSvg } from '../shared/qr.js';


/** Following bookings: the company's list, one booking's page, its receipt and its documents. */
export function bookingTrackingRoutes(bookings: BookingsService, publicUrl: string): Router {
  const router = Router();
  const enterpriseOnly = requireAction('booking.create');
  const { renderDetail } = bookingPages(bookings);

  router.get('/bookings', enterpriseOnly, async (req, res) => {
    const filter = {
      status: queryText(req.query.status, 20),
      node: queryText(req.query.node, 9),
      service: queryText(req.query.service, 40),
      from: queryDate(req.query.from),
      to: queryDate(req.query.to),
      q: queryText(req.query.q, 40),
    };
    const result = await bookings.list(currentUser(req), { ...filter, page: pageParam(req.query.page) });
    res.render('bookings/list', { title: '我的预约', ...result, filter, nodes: await bookings.filterOptions(), statuses: BOOKING_STATUSES, labels: bookingViewLabels });
  });

  router.get('/bookings/:no', requireLogin, async (req, res) => {
    const user = currentUser(req);
    const number = bookingNumberParam(req.params.no);
    if (user.role === 'lab_staff' || user.role === 'node_manager') return res.redirect(bookingHref(number, 'staff'));
    await renderDetail(req, res, 200, number);
  });

  router.get('/bookings/:no/receipt', requireLogin, async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    const { booking, items, fee, due } = await bookings.receipt(currentUser(req), number);
    // The QR opens the public progress lookup with the number filled in; the last four digits of the mobile unlock it.
    const url = `${publicUrl}${trackHref(number)}`;
    const qrCode = await qrSvg(url);
    res.render('bookings/receipt', { title: receiptTitle(booking), layout: 'print', booking, items, fee, due, qrSvg: qrCode, url, labels: bookingViewLabels, backHref: bookingHref(number) });
  });

  router.get('/bookings/:no/attachments/:id', requireLogin, async (req, res) => {
    sendDocument(res, await bookings.attachment(currentUser(req), bookingNumberParam(req.params.no), idParam(req.params.id)));
  });

  return router;
}
