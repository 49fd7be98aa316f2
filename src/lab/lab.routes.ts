import { Router, type Request, type Response } from 'express';
import { bookingNumberParam, bookingViewLabels } from '../bookings/bookings.routes.js';
import { TRANSITIONS } from '../bookings/lifecycle.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { flash } from '../http/flash.js';
import { keptValues } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { pageParam, queryText } from '../http/params.js';
import { ACCEPT_ATTRIBUTE } from '../uploads/file-check.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { JUDGEMENT_LABELS } from './judgement.js';
import { isLabAction, type LabService } from './lab.service.js';
import { CALIBRATION_CONCLUSION_LABELS } from './results.js';
import { CONCLUSION_LABELS, REPORT_STATUS_LABELS } from '../reports/reports.service.js';

const REPORT_PURPOSES = ['report_pdf'] as const;

const DONE_MESSAGES: Record<string, string> = {
  accept: '已受理，办结期限已按工作日计算。',
  reject: '已不予受理，名额已释放，企业已收到通知。',
  needs_info: '已通知企业补正材料。',
  receive: '已登记收样 / 到场。',
  start: '已开始检测。',
  submit_results: '结果已提交，等待其他人员审核。',
  verify: '审核通过，可以签发报告。',
  retract: '已退回重做。',
  issue_report: '报告已签发，企业已收到通知。',
  revise_report: '已出具更正后的新版本报告，原版本标记为“已替换”。',
  revoke_report: '报告已撤销。',
  upload_report_pdf: '签章 PDF 已上传。',
};

export const labViewLabels = {
  ...bookingViewLabels,
  judgement: JUDGEMENT_LABELS,
  calibrationConclusion: CALIBRATION_CONCLUSION_LABELS,
  conclusion: CONCLUSION_LABELS,
  reportStatus: REPORT_STATUS_LABELS,
  transitions: Object.fromEntries(Object.values(TRANSITIONS).map((t) => [t.action, t.label])),
};

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
      from: queryText(req.query.from, 10),
      to: queryText(req.query.to, 10),
      assignee: queryText(req.query.assignee, 9),
      mine: queryText(req.query.mine, 1),
      q: queryText(req.query.q, 40),
    };
    const queue = await lab.queue(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('lab/queue', { title: '工作台', ...queue, query: { ...query, tab: queue.tab }, labels: labViewLabels });
  });

  router.get('/lab/bookings/:no', staffOnly, async (req, res) => {
    await renderWorkbench(req, res, 200, bookingNumberParam(req.params.no));
  });

  router.post('/lab/bulk-accept', staffOnly, async (req, res) => {
    const raw = (req.body as Record<string, unknown>).numbers;
    const numbers = [raw ?? []].flat().filter((n): n is string => typeof n === 'string' && /^[A-Z]{2}-\d{8}-\d{4,6}$/.test(n));
    if (numbers.length === 0) {
      flash(req, 'warning', '请先勾选要受理的预约。');
      return res.redirect(303, '/lab?tab=submitted');
    }
    const { done, failed } = await lab.bulkAccept(currentUser(req), numbers);
    if (done.length) flash(req, 'success', `已受理 ${done.length} 条：${done.join('、')}。`);
    if (failed.length) flash(req, 'danger', `${failed.length} 条未能受理：${failed.map((f) => `${f.number}（${f.reason}）`).join('；')}`);
    res.redirect(303, '/lab?tab=submitted');
  });

  router.post('/lab/bookings/:no/:action', staffOnly, ...multipartForm('/lab/bookings/:no/:action', REPORT_PURPOSES), async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    const action = typeof req.params.action === 'string' && isLabAction(req.params.action) ? req.params.action : undefined;
    if (!action) throw new NotFoundError('没有这个操作。');
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      if (req.uploadError) throw new ValidationError({ reportPdf: req.uploadError });
      await lab.act(currentUser(req), number, action, body, uploadedFiles(req, REPORT_PURPOSES));
    } catch (err) {
      if (err instanceof ValidationError) {
        return renderWorkbench(req, res, 422, number, { errors: err.fieldErrors, formError: err.message, values: keptValues(body), openAction: action });
      }
      if (err instanceof ConflictError) return renderWorkbench(req, res, 409, number, { formError: err.message, openAction: action });
      if (err instanceof ForbiddenError) throw err;
      throw err;
    }
    flash(req, 'success', `${number}：${DONE_MESSAGES[action] ?? '操作已完成。'}`);
    res.redirect(303, `/lab/bookings/${number}`);
  });

  return router;
}
