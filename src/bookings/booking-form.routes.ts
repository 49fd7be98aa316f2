import { Router } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { flash } from '../http/flash.js';
import { formAction, formBody, hiddenFields, keptValues } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { queryDate, queryText } from '../http/params.js';
import { ConflictError, RateLimitedError, ValidationError } from '../shared/errors.js';
import { QUOTA_MESSAGES } from '../uploads/quota.js';
import { BOOKING_FORM_PURPOSES } from '../uploads/purposes.js';
import { bookingPages, type LedgerPicks } from './booking-pages.routes.js';
import { bookingHref, bookingViewLabels } from './bookings.view.js';
import { newIdempotencyKey, type BookingsService } from './bookings.service.js';

/** The booking form: open it, review (files kept as drafts), go back to edit, submit. */
export function bookingFormRoutes(bookings: BookingsService, rateLimitStore: (prefix: string) => Store, ledger?: LedgerPicks): Router {
  const router = Router();
  const enterpriseOnly = requireAction('booking.create');
  const { renderForm } = bookingPages(bookings, ledger);
  // The review step keeps the form's files as drafts: rate-limited per user (the draft quota caps what it keeps).
  const { reviews } = bookings.draftQuota;
  const reviewLimit = rateLimit({
    windowMs: reviews.windowMs,
    limit: reviews.limit,
    store: rateLimitStore('draft-review'),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => formBody(req).intent !== 'review',
    keyGenerator: (req) => `u${currentUser(req).id}`,
    handler: (_req, _res, next, options) => next(new RateLimitedError(QUOTA_MESSAGES.reviews(), Math.ceil(options.windowMs / 1000))),
  });

  router.get('/bookings/new', enterpriseOnly, async (req, res) => {
    const service = queryText(req.query.service, 40);
    if (!service) return res.redirect('/services');
    const user = currentUser(req);
    const body: Record<string, unknown> = { service, node: queryText(req.query.node, 9) ?? '', contactName: user.name, contactMobile: user.mobile, idempotencyKey: newIdempotencyKey(), deliveryMode: '' };
    const date = queryDate(req.query.date);
    const window = queryText(req.query.window, 5);
    if (date && window) body.slot = `${date}|${window}`;
    const from = queryDate(req.query.from);
    if (from) body.from = from;
    // Instruments picked from the ledger fill the instrument rows.
    const picked = [req.query.instruments ?? []].flat().filter((x): x is string => typeof x === 'string' && /^[1-9]\d{0,8}$/.test(x)).map(Number);
    if (picked.length && ledger) {
      const lines = await ledger.prefill(user, picked.slice(0, 50));
      if (lines.length) body.items = lines;
    }
    await renderForm(req, res, 200, body);
  });

  router.post(
    '/bookings',
    enterpriseOnly,
    ...multipartForm('/bookings', BOOKING_FORM_PURPOSES),
    reviewLimit,
    formAction(
      async (req, res) => {
        const user = currentUser(req);
        const body = formBody(req);
        if (req.uploadError) throw new ValidationError({ attachments: req.uploadError }, req.uploadError);
        const files = uploadedFiles(req, BOOKING_FORM_PURPOSES);
        // Files ticked for removal go first, whichever button was pressed (the form's list and the review page's).
        const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
        const remove = [body.removeDraft ?? []].flat().filter((x): x is string => typeof x === 'string' && /^\d{1,9}$/.test(x)).map(Number);
        if (key && remove.length) await bookings.removeDrafts(user, key, remove);
        if (body.intent === 'edit') {
          await bookings.keepFiles(user, body, files);
          return renderForm(req, res, 200, body);
        }
        if (body.intent === 'review') {
          const { prepared, drafts } = await bookings.review(user, body, files);
          const { intent: _intent, ...carried } = keptValues(body);
          return res.render('bookings/review', { title: '确认预约信息', prepared, drafts, hidden: hiddenFields(carried), labels: bookingViewLabels });
        }
        const result = await bookings.submit(user, body, files);
        flash(req, result.duplicate ? 'info' : 'success', result.duplicate ? `该预约已提交过（${result.number}），未重复创建。` : `预约已提交，预约号 ${result.number}。受理后将通知您。`);
        res.redirect(303, bookingHref(result.number));
      },
      // A refused form: 422 with field messages, 409 with the next free windows when the window filled up.
      (req, res, r) => {
        const full = r.error instanceof ConflictError && r.error.code === 'window_full';
        if (r.error instanceof ConflictError && !full) throw r.error;
        if (!full) return renderForm(req, res, r.status, formBody(req), { errors: r.errors, formError: r.formError });
        const { nextFree, free } = (r.error as ConflictError).details;
        return renderForm(req, res, r.status, formBody(req), { errors: { slot: r.formError }, formError: r.formError, nextFree }, { free: typeof free === 'number' ? free : 0 });
      },
    ),
  );

  return router;
}
