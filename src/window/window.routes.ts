import { Router, type Request, type Response } from 'express';
import type { BookingsService } from '../bookings/bookings.service.js';
import { newIdempotencyKey } from '../bookings/bookings.service.js';
import { bookingHref, bookingViewLabels, fileInputs, trackHref } from '../bookings/bookings.view.js';
import { DRAFT_KEY_RE } from '../bookings/files.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, hiddenFields, keptValues, refusalAsMessage, switchedOn } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { idParam, queryDate, queryText } from '../http/params.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_FILES } from '../uploads/file-check.js';
import { BOOKING_FORM_PURPOSES } from '../uploads/purposes.js';
import { isTicketMove } from './queue.js';
import { maskMobile, windowHref, windowLabels } from './window.view.js';
import type { WindowService } from './window.service.js';
import { qrSvg } from '../shared/qr.js';

export interface WindowRoutesDeps {
  window: WindowService;
  bookings: BookingsService;
  parks: () => Promise<{ id: number; name: string; district?: string }[]>;
  /** The address users reach, for the receipt's progress QR codes. */
  publicUrl: string;
}

const uploadLimits = { maxFiles: MAX_FILES, accept: ACCEPT_ATTRIBUTE, typesText: ALLOWED_TYPES_TEXT };

/** The walk-in window (/window…, staff with the window duty) and the node's public queue screen. */
export function windowRoutes(deps: WindowRoutesDeps): Router {
  const { window: desk, bookings } = deps;
  const router = Router();
  const duty = requireAction('window.operate');

  router.get('/window', duty, async (req, res) => {
    const user = currentUser(req);
    const q = queryText(req.query.q, 60) ?? '';
    const [results, openCases] = await Promise.all([desk.find(user, q), desk.openCases(user)]);
    res.render('window/home', { title: '线下窗口', q, results, openCases, labels: windowLabels, href: windowHref });
  });

  // ── register a company that is not on the platform ──
  const renderCompanyForm = async (res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('window/company-form', { title: '窗口登记企业', parks: await deps.parks(), values: {}, errors: {}, ...extra });
  router.get('/window/companies/new', duty, (_req, res) => renderCompanyForm(res, 200));
  router.post(
    '/window/companies',
    duty,
    formAction(
      async (req, res) => {
        const id = await desk.registerCompany(currentUser(req), formBody(req));
        flash(req, 'success', '企业已登记（尚无企业账号）。请登记来办人后代为预约。');
        res.redirect(303, windowHref.company(id));
      },
      (_req, res, r) => renderCompanyForm(res, r.status, { values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );

  // ── a company: open a case for the visitor ──
  const renderCompany = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('window/company', { title: '登记来办人', company: await desk.company(currentUser(req), idParam(req.params.id)), values: {}, errors: {}, ...extra });
  router.get('/window/companies/:id', duty, (req, res) => renderCompany(req, res, 200));
  router.post(
    '/window/companies/:id/cases',
    duty,
    formAction(
      async (req, res) => {
        const id = await desk.openCase(currentUser(req), { ...formBody(req), enterpriseId: req.params.id });
        res.redirect(303, windowHref.case(id));
      },
      (req, res, r) => renderCompany(req, res, r.status, { values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );

  // ── a case ──
  router.get('/window/cases/:id', duty, async (req, res) => {
    const detail = await desk.caseDetail(currentUser(req), idParam(req.params.id));
    res.render('window/case', { title: `受理：${detail.windowCase.enterpriseName}`, ...detail, labels: windowLabels, href: windowHref, maskMobile, bookingHref });
  });
  router.post(
    '/window/cases/:id/close',
    duty,
    formAction(async (req, res) => {
      await desk.closeCase(currentUser(req), idParam(req.params.id));
      flash(req, 'success', '本次受理已结束。');
      res.redirect(303, windowHref.home);
    }, refusalAsMessage('danger', (req) => windowHref.case(idParam(req.params.id)))),
  );
  router.post('/window/cases/:id/receipt', duty, async (req, res) => {
    const receipt = await desk.receipt(currentUser(req), idParam(req.params.id));
    // Each booking's QR opens the public progress lookup with its number filled in (as on the online receipt).
    const qrSvgs = Object.fromEntries(
      await Promise.all(receipt.bookings.map(async (b) => [b.number, await qrSvg(`${deps.publicUrl}${trackHref(b.number)}`)] as const)),
    );
    res.render('window/receipt', { title: '受理回执', layout: 'print', backHref: windowHref.case(receipt.windowCase.id), ...receipt, qrSvgs, trackUrl: `${deps.publicUrl}/track`, labels: windowLabels, maskMobile });
  });

  // ── book on the company's behalf: the company's own form, posted to the window ──
  async function renderForm(req: Request, res: Response, status: number, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const caseId = idParam(req.params.id);
    const c = await desk.caseRef(user, caseId);
    const nodeId = typeof body.node === 'string' && /^\d{1,9}$/.test(body.node) ? Number(body.node) : c.anyNode ? undefined : c.nodeId;
    const slotDate = typeof body.slot === 'string' ? body.slot.slice(0, 10) : undefined;
    const context = await bookings.onBehalf.formContext(user, c, typeof body.service === 'string' ? body.service : '', nodeId, typeof body.from === 'string' ? body.from : slotDate);
    const values = keptValues(body);
    if (typeof values.idempotencyKey !== 'string' || !DRAFT_KEY_RE.test(values.idempotencyKey)) values.idempotencyKey = newIdempotencyKey();
    res.status(status).render('bookings/new', {
      title: `代${c.enterpriseName}预约：${context.service.name}`,
      ...context,
      values,
      drafts: await bookings.drafts(user, values.idempotencyKey),
      errors: {},
      labels: bookingViewLabels,
      uploadLimits,
      purposes: fileInputs(BOOKING_FORM_PURPOSES),
      scripts: ['/static/js/booking-form.js'],
      ledgerPicks: [],
      formUrls: { get: `/window/cases/${caseId}/book`, post: `/window/cases/${caseId}/bookings`, onBehalf: c.enterpriseName, caseHref: windowHref.case(caseId) },
      ...extra,
    });
  }

  router.get('/window/cases/:id/book', duty, async (req, res) => {
    const service = queryText(req.query.service, 40);
    if (!service) return res.redirect(windowHref.case(idParam(req.params.id)));
    const body: Record<string, unknown> = { service, node: queryText(req.query.node, 9) ?? '', idempotencyKey: newIdempotencyKey(), deliveryMode: '', contactName: '', contactMobile: '' };
    const date = queryDate(req.query.date);
    const win = queryText(req.query.window, 5);
    if (date && win) body.slot = `${date}|${win}`;
    const from = queryDate(req.query.from);
    if (from) body.from = from;
    await renderForm(req, res, 200, body);
  });

  router.post(
    '/window/cases/:id/bookings',
    duty,
    ...multipartForm('/window/cases/:id/bookings', BOOKING_FORM_PURPOSES),
    formAction(
      async (req, res) => {
        const user = currentUser(req);
        const caseId = idParam(req.params.id);
        const body = formBody(req);
        if (req.uploadError) throw new ValidationError({ attachments: req.uploadError }, req.uploadError);
        const c = await desk.caseRef(user, caseId);
        const files = uploadedFiles(req, BOOKING_FORM_PURPOSES);
        const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
        const remove = [body.removeDraft ?? []].flat().filter((x): x is string => typeof x === 'string' && /^\d{1,9}$/.test(x)).map(Number);
        if (key && remove.length) await bookings.removeDrafts(user, key, remove);
        if (body.intent === 'edit') {
          await bookings.onBehalf.keepFiles(user, c, body, files);
          return renderForm(req, res, 200, body);
        }
        if (body.intent === 'review') {
          const { prepared, drafts } = await bookings.onBehalf.review(user, c, body, files);
          const { intent: _intent, ...carried } = keptValues(body);
          return res.render('bookings/review', { title: '确认预约信息', prepared, drafts, hidden: hiddenFields(carried), labels: bookingViewLabels, formUrls: { post: `/window/cases/${caseId}/bookings`, onBehalf: c.enterpriseName } });
        }
        const result = await bookings.onBehalf.submit(user, c, body, files);
        flash(req, result.duplicate ? 'info' : 'success', result.duplicate ? `该预约已提交过（${result.number}），未重复创建。` : `已代${c.enterpriseName}提交预约 ${result.number}。`);
        res.redirect(303, windowHref.case(caseId));
      },
      (req, res, r) => {
        const full = r.error instanceof ConflictError && r.error.code === 'window_full';
        if (r.error instanceof ConflictError && !full) throw r.error;
        return renderForm(req, res, r.status, formBody(req), full ? { errors: { slot: r.formError }, formError: r.formError, nextFree: (r.error as ConflictError).details.nextFree } : { errors: r.errors, formError: r.formError });
      },
    ),
  );

  // ── the walk-in queue ──
  const renderQueue = async (req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) => {
    const user = currentUser(req);
    res.status(status).render('window/queue', { title: '取号叫号', ...(await desk.queue(user)), nodeId: user.nodeId, labels: windowLabels, href: windowHref, values: {}, errors: {}, ...extra });
  };
  router.get('/window/queue', duty, (req, res) => renderQueue(req, res));
  router.post(
    '/window/queue/tickets',
    duty,
    formAction(
      async (req, res) => {
        const ticket = await desk.issueTicket(currentUser(req), formBody(req));
        flash(req, 'success', `已取号 ${ticket.label}（${ticket.categoryName}）。`);
        res.redirect(303, windowHref.queue);
      },
      (req, res, r) => renderQueue(req, res, r.status, { values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );
  router.post(
    '/window/queue/tickets/:id/:move',
    duty,
    formAction(async (req, res) => {
      const id = idParam(req.params.id);
      const move = String(req.params.move);
      // An action that does not exist is a page that does not exist.
      if (!isTicketMove(move)) throw new NotFoundError();
      await desk.moveTicket(currentUser(req), id, move);
      res.redirect(303, windowHref.queue);
    }, refusalAsMessage('danger', () => windowHref.queue)),
  );

  router.get('/nodes/:id/queue', async (req, res) => {
    const screen = await desk.screen(idParam(req.params.id));
    res.render('window/screen', { title: `${screen.node.name} 叫号`, layout: 'screen', ...screen });
  });

  // ── duty (node manager) and the window's figures ──
  router.get('/window/staff', requireAction('window.grant'), async (req, res) => {
    res.render('window/staff', { title: '窗口值守人员', staff: await desk.roster(currentUser(req)) });
  });
  router.post(
    '/window/staff/:id/duty',
    requireAction('window.grant'),
    formAction(async (req, res) => {
      const on = switchedOn(req);
      const target = await desk.setDuty(currentUser(req), idParam(req.params.id), on);
      flash(req, 'success', on ? `已授予 ${target.name} 线下窗口值守权限。` : `已收回 ${target.name} 的线下窗口值守权限。`);
      res.redirect(303, windowHref.staff);
    }, refusalAsMessage('danger', () => windowHref.staff)),
  );
  router.get('/window/stats', duty, async (req, res) => {
    res.render('window/stats', { title: '窗口统计', ...(await desk.stats(currentUser(req))), labels: windowLabels });
  });

  return router;
}
