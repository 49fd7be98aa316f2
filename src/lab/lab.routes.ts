import { Router, type Request, type Response } from 'express';
import { bookingNumberParam, isBookingNumber } from '../bookings/booking-number.js';
import { bookingHref } from '../bookings/bookings.view.js';
import { flash } from '../http/flash.js';
import { formAction, formBody } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { pageParam, queryDate, queryText } from '../http/params.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { ACCEPT_ATTRIBUTE } from '../uploads/file-check.js';
import { isLabAction, type LabService } from './lab.service.js';
import { DONE_MESSAGES, labViewLabels } from './lab.view.js';

const REPORT_PURPOSES = ['report_pdf'] as const;

export function labRoutes(deps: { lab: LabService }): Router {
  const { lab } = deps;
  const router = Router();
  const staffOnly = requireAction('lab.queue');

  async function renderWorkbench(req: Request, res: Response, status: number, number: string, extra: Record<string, unknown> = {}) {
    const detail = await lab.workbench(currentUser(req), number);
    res.status(status).render('lab/workbench', {
      title: `工作台 · ${number}`,
      ...detail,
      labels: labViewLabels,
      values: {},
      errors: {},
      accept: ACCEPT_ATTRIBUTE,
      scripts: ['/static/js/workbench.js'],
      ...extra,
    });
  }

  router.get('/lab', staffOnly, async (req, res) => {
    const query = {
      tab: queryText(req.query.tab, 20),
      service: queryText(req.query.service, 40),
      from: queryDate(req.query.from),
      to: queryDate(req.query.to),
      assignee: queryText(req.query.assignee, 9),
      mine: queryText(req.query.mine, 1),
      q: queryText(req.query.q, 40),
    };
    const cursor = { after: queryText(req.query.after, 12), before: queryText(req.query.before, 12) };
    const queue = await lab.queue(currentUser(req), { ...query, ...cursor, page: pageParam(req.query.page) });
    res.render('lab/queue', { title: '工作台', ...queue, query: { ...query, tab: queue.tab }, labels: labViewLabels });
  });

  router.get('/lab/bookings/:no', staffOnly, async (req, res) => {
    await renderWorkbench(req, res, 200, bookingNumberParam(req.params.no));
  });

  router.post('/lab/bulk-accept', staffOnly, async (req, res) => {
    const numbers = [formBody(req).numbers ?? []].flat().filter(isBookingNumber);
    if (numbers.length === 0) {
      flash(req, 'warning', '请先勾选要受理的预约。');
      return res.redirect(303, '/lab?tab=submitted');
    }
    const { done, failed } = await lab.bulkAccept(currentUser(req), numbers);
    if (done.length) flash(req, 'success', `已受理 ${done.length} 条：${done.join('、')}。`);
    if (failed.length) flash(req, 'danger', `${failed.length} 条未能受理：${failed.map((f) => `${f.number}（${f.reason}）`).join('；')}`);
    res.redirect(303, '/lab?tab=submitted');
  });

  router.post(
    '/lab/bookings/:no/:action',
    staffOnly,
    ...multipartForm('/lab/bookings/:no/:action', REPORT_PURPOSES),
    formAction(
      async (req, res) => {
        const number = bookingNumberParam(req.params.no);
        const action = typeof req.params.action === 'string' && isLabAction(req.params.action) ? req.params.action : undefined;
        if (!action) throw new NotFoundError('没有这个操作。');
        if (req.uploadError) throw new ValidationError({ reportPdf: req.uploadError });
        await lab.act(currentUser(req), number, action, formBody(req), uploadedFiles(req, REPORT_PURPOSES));
        flash(req, 'success', `${number}：${DONE_MESSAGES[action] ?? '操作已完成。'}`);
        res.redirect(303, bookingHref(number, 'staff'));
      },
      (req, res, r) =>
        renderWorkbench(req, res, r.status, bookingNumberParam(req.params.no), {
          errors: r.errors,
          formError: r.formError,
          values: r.values,
          openAction: req.params.action,
        }),
    ),
  );

  return router;
}
