import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, hiddenFields, keptValues, type Refusal } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import type { Principal } from '../auth/access.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_FILES } from '../uploads/file-check.js';
import { BOOKING_FORM_PURPOSES, type AttachmentPurpose } from '../uploads/purposes.js';
import { bookingNumberParam } from './booking-number.js';
import { bookingHref, bookingViewLabels, fileInputs } from './bookings.view.js';
import { newIdempotencyKey, type BookingsService } from './bookings.service.js';
import { DRAFT_KEY_RE } from './files.js';
import { BOOKING_STATUSES } from './lifecycle.js';

const RESUBMIT_PURPOSES: AttachmentPurpose[] = ['correction', 'other'];
const uploadLimits = { maxFiles: MAX_FILES, accept: ACCEPT_ATTRIBUTE, typesText: ALLOWED_TYPES_TEXT };
const downloadHeaders = (mimeType: string) => ({ 'Content-Type': mimeType, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' });

/** The instrument ledger's part of the booking form ("从台账选择"), given by the composition root when the ledger exists. */
export interface LedgerPicks {
  picks(user: Principal, categoryCode: string): Promise<{ id: number; name: string; serialNo: string; department: string; nextDueDate: string | null; due: string; line: Record<string, string> }[]>;
  prefill(user: Principal, ids: number[]): Promise<Record<string, string>[]>;
}

export function bookingsRoutes(deps: { bookings: BookingsService; publicUrl: string; ledger?: LedgerPicks }): Router {
  const { bookings, publicUrl } = deps;
  const router = Router();
  const enterpriseOnly = requireAction('booking.create');

  /** The booking form, with the weeks of the chosen (or refused) window or the page the user paged to. */
  async function renderForm(req: Request, res: Response, status: number, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : undefined;
    const slotDate = typeof body.slot === 'string' ? body.slot.slice(0, 10) : undefined;
    const context = await bookings.formContext(user, typeof body.service === 'string' ? body.service : '', nodeId, typeof body.from === 'string' ? body.from : slotDate);
    const values = keptValues(body);
    if (typeof values.idempotencyKey !== 'string' || !DRAFT_KEY_RE.test(values.idempotencyKey)) values.idempotencyKey = newIdempotencyKey();
    res.status(status).render('bookings/new', {
      title: `预约：${context.service.name}`,
      ...context,
      values,
      drafts: await bookings.drafts(user, values.idempotencyKey),
      errors: {},
      labels: bookingViewLabels,
      uploadLimits,
      purposes: fileInputs(BOOKING_FORM_PURPOSES),
      scripts: ['/static/js/booking-form.js'],
      ledgerPicks: context.service.instrumentCategoryCode && deps.ledger ? await deps.ledger.picks(user, context.service.instrumentCategoryCode) : [],
      ...extra,
    });
  }

  async function renderDetail(req: Request, res: Response, status: number, number: string, extra: Record<string, unknown> = {}) {
    const detail = await bookings.detail(currentUser(req), number);
    res.status(status).render('bookings/detail', { title: `预约 ${number}`, ...detail, labels: bookingViewLabels, resubmitPurposes: fileInputs(RESUBMIT_PURPOSES), uploadLimits, ...extra });
  }

  /** A refused action on the booking page: the page again with the message at the form (422 fields, 409 state). */
  const detailRefused = (extra: Record<string, unknown> = {}) => (req: Request, res: Response, r: Refusal) =>
    renderDetail(req, res, r.status, bookingNumberParam(req.params.no), { errors: r.errors, formError: r.firstError, values: r.values, ...extra });

  /** One action of the company on its booking: done → back to the booking with a message. */
  const bookingAction = (run: (req: Request, number: string) => Promise<unknown>, done: (number: string) => string, extra: Record<string, unknown> = {}) =>
    formAction(async (req, res) => {
      const number = bookingNumberParam(req.params.no);
      await run(req, number);
      flash(req, 'success', done(number));
      res.redirect(303, bookingHref(number));
    }, detailRefused(extra));

  router.get('/bookings/new', enterpriseOnly, async (req, res) => {
    const service = queryText(req.query.service, 40);
    if (!service) return res.redirect('/services');
    const user = currentUser(req);
    const body: Record<string, unknown> = { service, node: queryText(req.query.node, 9) ?? '', contactName: user.name, contactMobile: user.mobile, idempotencyKey: newIdempotencyKey(), deliveryMode: '' };
    const date = queryText(req.query.date, 10);
    const window = queryText(req.query.window, 5);
    if (date && window) body.slot = `${date}|${window}`;
    const from = queryText(req.query.from, 10);
    if (from) body.from = from;
    // Instruments picked from the ledger fill the instrument rows.
    const picked = [req.query.instruments ?? []].flat().filter((x): x is string => typeof x === 'string' && /^[1-9]\d{0,8}$/.test(x)).map(Number);
    if (picked.length && deps.ledger) {
      const lines = await deps.ledger.prefill(user, picked.slice(0, 50));
      if (lines.length) body.items = lines;
    }
    await renderForm(req, res, 200, body);
  });

  router.post(
    '/bookings',
    enterpriseOnly,
    ...multipartForm('/bookings', BOOKING_FORM_PURPOSES),
    formAction(
      async (req, res) => {
        const user = currentUser(req);
        const body = formBody(req);
        if (req.uploadError) throw new ValidationError({ attachments: req.uploadError }, req.uploadError);
        const files = uploadedFiles(req, BOOKING_FORM_PURPOSES);
        if (body.intent === 'edit') {
          const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
          const remove = [body.removeDraft ?? []].flat().filter((x): x is string => typeof x === 'string' && /^\d{1,9}$/.test(x)).map(Number);
          if (key && remove.length) await bookings.removeDrafts(user, key, remove);
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
        return renderForm(req, res, r.status, formBody(req), full ? { errors: { slot: r.formError }, formError: r.formError, nextFree: (r.error as ConflictError).details.nextFree } : { errors: r.errors, formError: r.formError });
      },
    ),
  );

  router.get('/bookings', enterpriseOnly, async (req, res) => {
    const filter = {
      status: queryText(req.query.status, 20),
      node: queryText(req.query.node, 9),
      service: queryText(req.query.service, 40),
      from: queryText(req.query.from, 10),
      to: queryText(req.query.to, 10),
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
    const { booking, items } = await bookings.receipt(currentUser(req), number);
    const url = `${publicUrl}${bookingHref(number)}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    res.render('bookings/receipt', { title: `受理回执 ${number}`, layout: 'print', booking, items, qrSvg, url, labels: bookingViewLabels, backHref: bookingHref(number) });
  });

  router.get('/bookings/:no/attachments/:id', requireLogin, async (req, res, next) => {
    const { file, path } = await bookings.attachment(currentUser(req), bookingNumberParam(req.params.no), idParam(req.params.id));
    res.download(path, file.originalName, { headers: downloadHeaders(file.mimeType) }, (err) => {
      if (err && !res.headersSent) next(new NotFoundError('附件文件已不存在，请联系平台客服。'));
    });
  });

  router.post('/bookings/:no/cancel', enterpriseOnly, bookingAction((req, n) => bookings.cancel(currentUser(req), n, req.body), (n) => `预约 ${n} 已取消，占用的名额已释放。`, { cancelOpen: true }));
  router.post('/bookings/:no/complete', enterpriseOnly, bookingAction((req, n) => bookings.complete(currentUser(req), n), (n) => `预约 ${n} 已办结，欢迎对本次服务进行评价。`));
  router.post('/bookings/:no/evaluate', enterpriseOnly, bookingAction((req, n) => bookings.evaluate(currentUser(req), n, req.body), () => '感谢您的评价！'));

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
        await bookings.reschedule(currentUser(req), number, req.body);
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
        await bookings.resubmit(currentUser(req), n, req.body, uploadedFiles(req, RESUBMIT_PURPOSES));
      },
      (n) => `补正材料已提交，预约 ${n} 已重新进入待受理。`,
    ),
  );

  return router;
}
