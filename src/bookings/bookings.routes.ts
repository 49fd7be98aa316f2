import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { describeWindow, windowLabel } from '../capacity/availability.js';
import { DELIVERY_MODE_LABELS } from '../catalog/catalog.service.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { flash } from '../http/flash.js';
import { hiddenFields, keptValues } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import { ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_FILES } from '../uploads/file-check.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { ATTACHMENT_PURPOSES, BOOKING_FORM_PURPOSES, fileFieldName, type AttachmentPurpose } from '../uploads/purposes.js';
import { CONCLUSION_LABELS, REPORT_STATUS_LABELS } from '../reports/reports.service.js';
import { EVALUATION_LEVELS, SOURCE_TYPES } from './bookings.schemas.js';
import { newIdempotencyKey, type BookingsService } from './bookings.service.js';
import { BOOKING_STATUSES, EVENT_LABELS, STATUS_LABELS } from './lifecycle.js';

const NUMBER_PATTERN = /^[A-Z]{2}-\d{8}-\d{4,6}$/;
const RESUBMIT_PURPOSES: AttachmentPurpose[] = ['correction', 'other'];

export function bookingNumberParam(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !NUMBER_PATTERN.test(value)) throw new NotFoundError('该预约不存在，或您无权查看。');
  return value;
}

/** View helpers shared by every booking page. */
export const bookingViewLabels = {
  status: STATUS_LABELS,
  events: EVENT_LABELS,
  deliveryModes: DELIVERY_MODE_LABELS,
  sourceTypes: SOURCE_TYPES,
  purposes: ATTACHMENT_PURPOSES,
  evaluationLevels: EVALUATION_LEVELS,
  reportStatus: REPORT_STATUS_LABELS as Record<string, string>,
  conclusion: CONCLUSION_LABELS,
  windowLabel,
  describeWindow,
};

export function bookingsRoutes(deps: { bookings: BookingsService; publicUrl: string }): Router {
  const { bookings, publicUrl } = deps;
  const router = Router();
  const enterpriseOnly = requireAction('booking.create');
  const upload = multipartForm('/bookings', BOOKING_FORM_PURPOSES);
  const uploadLimits = { maxFiles: MAX_FILES, accept: ACCEPT_ATTRIBUTE, typesText: ALLOWED_TYPES_TEXT };

  async function renderForm(req: Request, res: Response, status: number, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const serviceCode = typeof body.service === 'string' ? body.service : '';
    const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : undefined;
    // Show the weeks of the chosen (or refused) window, or the page the user paged to.
    const slotDate = typeof body.slot === 'string' ? body.slot.slice(0, 10) : undefined;
    const from = typeof body.from === 'string' ? body.from : slotDate;
    const context = await bookings.formContext(user, serviceCode, nodeId, from);
    const values = keptValues(body);
    if (typeof values.idempotencyKey !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(values.idempotencyKey)) values.idempotencyKey = newIdempotencyKey();
    const drafts = await bookings.drafts(user, values.idempotencyKey);
    res.status(status).render('bookings/new', {
      title: `预约：${context.service.name}`,
      ...context,
      values,
      drafts,
      errors: {},
      labels: bookingViewLabels,
      uploadLimits,
      purposes: BOOKING_FORM_PURPOSES.map((p) => ({ key: p, field: fileFieldName(p), label: ATTACHMENT_PURPOSES[p] })),
      scripts: ['/static/js/booking-form.js'],
      ...extra,
    });
  }

  const resubmitPurposes = RESUBMIT_PURPOSES.map((p) => ({ key: p, field: fileFieldName(p), label: ATTACHMENT_PURPOSES[p] }));

  async function renderDetail(req: Request, res: Response, status: number, number: string, extra: Record<string, unknown> = {}) {
    const detail = await bookings.detail(currentUser(req), number);
    res.status(status).render('bookings/detail', { title: `预约 ${number}`, ...detail, labels: bookingViewLabels, resubmitPurposes, uploadLimits, ...extra });
  }

  /** A refused action on the detail page: 422 with the field message, 409 when the booking's state refuses it. */
  async function renderActionRefused(req: Request, res: Response, err: unknown, number: string, extra: Record<string, unknown>) {
    if (err instanceof ValidationError) {
      return renderDetail(req, res, 422, number, { errors: err.fieldErrors, formError: Object.values(err.fieldErrors)[0] ?? err.message, values: keptValues(req.body), ...extra });
    }
    if (err instanceof ConflictError) return renderDetail(req, res, 409, number, { formError: err.message });
    throw err;
  }

  /** A refused form: 422 with field messages, 409 with the next free windows when the window filled up. */
  async function renderRefused(req: Request, res: Response, err: unknown, body: Record<string, unknown>) {
    if (err instanceof ValidationError) {
      return renderForm(req, res, 422, body, { errors: err.fieldErrors, formError: err.message });
    }
    if (err instanceof ConflictError && err.code === 'window_full') {
      return renderForm(req, res, 409, body, { errors: { slot: err.message }, formError: err.message, nextFree: err.details.nextFree });
    }
    throw err;
  }

  router.get('/bookings/new', enterpriseOnly, async (req, res) => {
    const service = queryText(req.query.service, 40);
    if (!service) return res.redirect('/services');
    const user = currentUser(req);
    const body: Record<string, unknown> = {
      service,
      node: queryText(req.query.node, 9) ?? '',
      contactName: user.name,
      contactMobile: user.mobile,
      idempotencyKey: newIdempotencyKey(),
      deliveryMode: '',
    };
    const date = queryText(req.query.date, 10);
    const window = queryText(req.query.window, 5);
    if (date && window) body.slot = `${date}|${window}`;
    const from = queryText(req.query.from, 10);
    if (from) body.from = from;
    await renderForm(req, res, 200, body);
  });

  router.post('/bookings', enterpriseOnly, ...upload, async (req, res) => {
    const user = currentUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (req.uploadError) {
      return renderForm(req, res, 422, body, { errors: { attachments: req.uploadError }, formError: req.uploadError });
    }
    const files = uploadedFiles(req, BOOKING_FORM_PURPOSES);
    const intent = body.intent;
    try {
      if (intent === 'edit') {
        const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
        const remove = [body.removeDraft ?? []].flat().filter((x): x is string => typeof x === 'string' && /^\d{1,9}$/.test(x)).map(Number);
        if (key && remove.length) await bookings.removeDrafts(user, key, remove);
        return renderForm(req, res, 200, body);
      }
      if (intent === 'review') {
        const { prepared, drafts } = await bookings.review(user, body, files);
        const { intent: _intent, ...carried } = keptValues(body);
        return res.render('bookings/review', {
          title: '确认预约信息',
          prepared,
          drafts,
          hidden: hiddenFields(carried),
          labels: bookingViewLabels,
        });
      }
      const result = await bookings.submit(user, body, files);
      flash(req, result.duplicate ? 'info' : 'success', result.duplicate ? `该预约已提交过（${result.number}），未重复创建。` : `预约已提交，预约号 ${result.number}。受理后将通知您。`);
      res.redirect(303, `/bookings/${result.number}`);
    } catch (err) {
      await renderRefused(req, res, err, body);
    }
  });

  router.get('/bookings', enterpriseOnly, async (req, res) => {
    const user = currentUser(req);
    const filter = {
      status: queryText(req.query.status, 20),
      node: queryText(req.query.node, 9),
      service: queryText(req.query.service, 40),
      from: queryText(req.query.from, 10),
      to: queryText(req.query.to, 10),
      q: queryText(req.query.q, 40),
    };
    const result = await bookings.list(user, { ...filter, page: pageParam(req.query.page) });
    const nodes = await bookings.filterOptions();
    res.render('bookings/list', { title: '我的预约', ...result, filter, nodes, statuses: BOOKING_STATUSES, labels: bookingViewLabels });
  });

  router.get('/bookings/:no', requireLogin, async (req, res) => {
    const user = currentUser(req);
    const number = bookingNumberParam(req.params.no);
    if (user.role === 'lab_staff' || user.role === 'node_manager') return res.redirect(`/lab/bookings/${number}`);
    await renderDetail(req, res, 200, number);
  });

  router.get('/bookings/:no/receipt', requireLogin, async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    const { booking, items } = await bookings.receipt(currentUser(req), number);
    const url = `${publicUrl}/bookings/${number}`;
    const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    res.render('bookings/receipt', { title: `受理回执 ${number}`, layout: 'print', booking, items, qrSvg, url, labels: bookingViewLabels, backHref: `/bookings/${number}` });
  });

  router.get('/bookings/:no/attachments/:id', requireLogin, async (req, res, next) => {
    const { file, path } = await bookings.attachment(currentUser(req), bookingNumberParam(req.params.no), idParam(req.params.id));
    res.download(path, file.originalName, { headers: { 'Content-Type': file.mimeType, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' } }, (err) => {
      if (err && !res.headersSent) next(new NotFoundError('附件文件已不存在，请联系平台客服。'));
    });
  });

  router.post('/bookings/:no/cancel', enterpriseOnly, async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    try {
      await bookings.cancel(currentUser(req), number, req.body);
    } catch (err) {
      return renderActionRefused(req, res, err, number, { cancelOpen: true });
    }
    flash(req, 'success', `预约 ${number} 已取消，占用的名额已释放。`);
    res.redirect(303, `/bookings/${number}`);
  });

  router.post('/bookings/:no/complete', enterpriseOnly, async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    try {
      await bookings.complete(currentUser(req), number);
    } catch (err) {
      return renderActionRefused(req, res, err, number, {});
    }
    flash(req, 'success', `预约 ${number} 已办结，欢迎对本次服务进行评价。`);
    res.redirect(303, `/bookings/${number}`);
  });

  router.post('/bookings/:no/evaluate', enterpriseOnly, async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    try {
      await bookings.evaluate(currentUser(req), number, req.body);
    } catch (err) {
      return renderActionRefused(req, res, err, number, {});
    }
    flash(req, 'success', '感谢您的评价！');
    res.redirect(303, `/bookings/${number}`);
  });

  router.get('/bookings/:no/reschedule', enterpriseOnly, async (req, res) => {
    const context = await bookings.rescheduleContext(currentUser(req), bookingNumberParam(req.params.no));
    res.render('bookings/reschedule', { title: '改期', ...context, values: {}, errors: {}, labels: bookingViewLabels });
  });

  router.post('/bookings/:no/reschedule', enterpriseOnly, async (req, res) => {
    const user = currentUser(req);
    const number = bookingNumberParam(req.params.no);
    try {
      await bookings.reschedule(user, number, req.body);
      flash(req, 'success', `预约 ${number} 已改期，原时段名额已释放。`);
      res.redirect(303, `/bookings/${number}`);
    } catch (err) {
      const status = err instanceof ValidationError ? 422 : err instanceof ConflictError && err.code === 'window_full' ? 409 : 0;
      if (!status) throw err;
      const context = await bookings.rescheduleContext(user, number);
      const errors = err instanceof ValidationError ? err.fieldErrors : { slot: (err as ConflictError).message };
      res.status(status).render('bookings/reschedule', {
        title: '改期',
        ...context,
        values: keptValues(req.body),
        errors,
        formError: Object.values(errors)[0],
        nextFree: err instanceof ConflictError ? err.details.nextFree : undefined,
        labels: bookingViewLabels,
      });
    }
  });

  router.post('/bookings/:no/resubmit', enterpriseOnly, ...multipartForm('/bookings/:no/resubmit', RESUBMIT_PURPOSES), async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    try {
      if (req.uploadError) throw new ValidationError({ attachments: req.uploadError });
      await bookings.resubmit(currentUser(req), number, req.body, uploadedFiles(req, RESUBMIT_PURPOSES));
    } catch (err) {
      return renderActionRefused(req, res, err, number, {});
    }
    flash(req, 'success', `补正材料已提交，预约 ${number} 已重新进入待受理。`);
    res.redirect(303, `/bookings/${number}`);
  });

  return router;
}
