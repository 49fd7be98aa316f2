import { Router, type Request } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { bookingNumberParam } from './booking-number.js';
import { bookingPages, RESUBMIT_PURPOSES } from './booking-pages.routes.js';
import { bookingHref, bookingViewLabels } from './bookings.view.js';
import type { BookingsService } from './bookings.service.js';

/** What a company does with its booking: cancel, complete, evaluate, ask for an invoice, move it, answer 补正. */
export function bookingActionRoutes(bookings: BookingsService): Router {
  const router = Router();
  const enterpriseOnly = requireAction('booking.create');
  const { detailRefused } = bookingPages(bookings);

  /** One action of the company on its booking: done → back to the booking with a message. */
  const bookingAction = (run: (req: Request, number: string) => Promise<unknown>, done: (number: string) => string, extra: Record<string, unknown> = {}) =>
    formAction(async (req, res) => {
      const number = bookingNumberParam(req.params.no);
      await run(req, number);
      flash(req, 'success', done(number));
      res.redirect(303, bookingHref(number));
    }, detailRefused(extra));

  router.post('/bookings/:no/cancel', enterpriseOnly, bookingAction((req, n) => bookings.cancel(currentUser(req), n, formBody(req)), (n) => `预约 ${n} 已取消，占用的名额已释放。`, { cancelOpen: true }));
  router.post('/bookings/:no/complete', enterpriseOnly, bookingAction((req, n) => bookings.complete(currentUser(req), n), (n) => `预约 ${n} 已办结，欢迎对本次服务进行评价。`));
  router.post('/bookings/:no/invoice', enterpriseOnly, bookingAction((req, n) => bookings.requestInvoice(currentUser(req), n), (n) => `已为预约 ${n} 申请开具发票，开具后将通知您。`));
  router.post('/bookings/:no/evaluate', enterpriseOnly, bookingAction((req, n) => bookings.evaluate(currentUser(req), n, formBody(req)), () => '感谢您的评价！'));

  router.get('/bookings/:no/reschedule', enterpriseOnly, async (req, res) => {
    const context = await bookings.rescheduleContext(currentUser(req), bookingNumberParam(req.params.no));
    res.render('bookings/reschedule', { title: '改期', ...context, values: {}, errors: {}, labels: bookingViewLabels });
  });

  router.post(
    '/bookings/:no/reschedule',
    enterpriseOnly,
    formAction(
      async (req, res) => {
        const number = bookingNumberParam(req.params.no);
        await bookings.reschedule(currentUser(req), number, formBody(req));
        flash(req, 'success', `预约 ${number} 已改期，原时段名额已释放。`);
        res.redirect(303, bookingHref(number));
      },
      async (req, res, r) => {
        const full = r.error instanceof ConflictError && r.error.code === 'window_full';
        if (r.error instanceof ConflictError && !full) throw r.error;
        const context = await bookings.rescheduleContext(currentUser(req), bookingNumberParam(req.params.no));
        const errors = full ? { slot: r.formError } : r.errors;
        res.status(r.status).render('bookings/reschedule', { title: '改期', ...context, values: r.values, errors, formError: Object.values(errors)[0], nextFree: full ? (r.error as ConflictError).details.nextFree : undefined, labels: bookingViewLabels });
      },
    ),
  );

  router.post(
    '/bookings/:no/resubmit',
    enterpriseOnly,
    ...multipartForm('/bookings/:no/resubmit', RESUBMIT_PURPOSES),
    bookingAction(
      async (req, n) => {
        if (req.uploadError) throw new ValidationError({ attachments: req.uploadError });
        await bookings.resubmit(currentUser(req), n, formBody(req), uploadedFiles(req, RESUBMIT_PURPOSES));
      },
      (n) => `补正材料已提交，预约 ${n} 已重新进入待受理。`,
    ),
  );

  return router;
}
