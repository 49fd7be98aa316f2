import { sendDocument } from '../http/send-document.js';
import { Router, type Request, type Response } from 'express';
import { isCoordinator } from '../auth/access.js';
import { newIdempotencyKey } from '../bookings/submit.js';
import { KIND_LABELS } from '../chains/chains.view.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, refusalAsMessage } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { idParam } from '../http/params.js';
import { ACCEPT_ATTRIBUTE, ALLOWED_TYPES_TEXT, MAX_FILES } from '../uploads/file-check.js';
import type { AttachmentPurpose } from '../uploads/purposes.js';
import { needHref } from './needs.js';
import type { NeedsService } from './needs.service.js';
import { needLabels } from './needs.view.js';

const NEED_FILES: AttachmentPurpose[] = ['need_file'];
const uploadLimits = { maxFiles: MAX_FILES, accept: ACCEPT_ATTRIBUTE, typesText: ALLOWED_TYPES_TEXT };

/** The files of a multipart need form; a body refused by the parser's limits becomes the upload field's message (after the scope check). */
const filesOf = (req: Request) => ({ files: uploadedFiles(req, NEED_FILES), ...(req.uploadError ? { refused: req.uploadError } : {}) });

/** /needs (list and form), /needs/:number (thread and actions), /coordinator/needs (figures and the pool), /experts/:id/profile. */
export function needsRoutes(deps: { needs: NeedsService }): Router {
  const { needs } = deps;
  const router = Router();

  async function renderList(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const [list, myExpertId] = await Promise.all([needs.list(user), needs.ownExpertId(user)]);
    res.status(status).render('needs/list', { title: '质量需求', list, myExpertId, canSubmit: user.role === 'enterprise' || user.role === 'park_admin', coordinator: isCoordinator(user) || user.role === 'platform_admin', labels: needLabels, uploadLimits, values: {}, errors: {}, ...extra });
  }
  router.get('/needs', requireAction('need.read'), (req, res) => renderList(req, res, 200));
  router.post(
    '/needs',
    requireAction('need.submit'),
    ...multipartForm('/needs', NEED_FILES),
    formAction(
      async (req, res) => {
        const number = await needs.submit(currentUser(req), formBody(req), filesOf(req));
        flash(req, 'success', `需求已提交，编号 ${number}。协调人将尽快为您匹配专家。`);
        res.redirect(303, needHref(number));
      },
      (req, res, r) => renderList(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  router.get('/coordinator/needs', requireLogin, async (req, res) => {
    res.render('needs/dashboard', { title: '质量需求统计', board: await needs.dashboard(currentUser(req)), labels: needLabels });
  });

  async function renderDetail(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const view = await needs.page(currentUser(req), String(req.params.number));
    res.status(status).render('needs/detail', { title: `质量需求 ${view.need.number}`, view, labels: needLabels, uploadLimits, values: {}, errors: {}, ...extra });
  }
  router.get('/needs/:number', requireAction('need.read'), (req, res) => renderDetail(req, res, 200));

  router.get('/needs/:number/attachments/:id', requireAction('need.read'), async (req, res) => {
    sendDocument(res, await needs.attachment(currentUser(req), String(req.params.number), idParam(req.params.id)));
  });

  const back = (req: Request) => needHref(String(req.params.number));
  // A refused message (or proposal) shows the page again with the message next to its field and the input kept.
  const detailRefused = (req: Request, res: Response, r: { status: number; errors: Record<string, string>; firstError: string; values: Record<string, unknown> }) =>
    renderDetail(req, res, r.status, { errors: r.errors, formError: r.firstError, values: r.values });
  router.post(
    '/needs/:number/messages',
    requireAction('need.read'),
    ...multipartForm('/needs/:number/messages', NEED_FILES),
    formAction(async (req, res) => {
      await needs.message(currentUser(req), String(req.params.number), formBody(req), filesOf(req));
      flash(req, 'success', '留言已发送。');
      res.redirect(303, back(req));
    }, detailRefused),
  );
  router.post(
    '/needs/:number/proposal',
    requireAction('need.read'),
    formAction(async (req, res) => {
      await needs.propose(currentUser(req), String(req.params.number), formBody(req));
      flash(req, 'success', '已建议预约的服务，企业可在需求页面一键预约。');
      res.redirect(303, back(req));
    }, detailRefused),
  );

  async function renderBookingForm(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const plan = await needs.bookingPlan(user, String(req.params.number));
    const values = { idempotencyKey: newIdempotencyKey(), contactName: user.name, contactMobile: user.mobile, description: plan.need.description };
    res.status(status).render('needs/bookings', { title: `按专家建议预约 ${plan.need.number}`, plan, values, errors: {}, labels: { kind: KIND_LABELS }, ...extra });
  }
  router.get('/needs/:number/bookings', requireAction('booking.create'), (req, res) => renderBookingForm(req, res, 200));
  router.post(
    '/needs/:number/bookings',
    requireAction('booking.create'),
    formAction(
      async (req, res) => {
        const { numbers, duplicate } = await needs.book(currentUser(req), String(req.params.number), formBody(req));
        flash(req, 'success', duplicate ? '已按专家建议预约过，各预约见本页。' : `已预约 ${numbers.length} 项服务：${numbers.join('、')}。各预约的办理进度可在“我的预约”查看。`);
        res.redirect(303, back(req));
      },
      (req, res, r) => renderBookingForm(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  const action = <T>(name: string, run: (req: Request) => Promise<T>, done: string | ((result: T) => string)) =>
    router.post(
      `/needs/:number/${name}`,
      requireAction('need.read'),
      formAction(
        async (req, res) => {
          const result = await run(req);
          flash(req, 'success', typeof done === 'string' ? done : done(result));
          res.redirect(303, back(req));
        },
        refusalAsMessage('danger', back),
      ),
    );
  action('assign', (req) => needs.assign(currentUser(req), String(req.params.number), formBody(req)), (r) =>
    r.previous ? `已改派：由${r.previous}改为${r.expert}，两位专家均已收到站内信。` : `已指派${r.expert}，专家已收到站内信。`,
  );
  action('accept', (req) => needs.accept(currentUser(req), String(req.params.number)), '已接单，请在期限内首次答复。');
  action('resolve', (req) => needs.resolve(currentUser(req), String(req.params.number), formBody(req)), '已提交答复结论。');
  action('rating', (req) => needs.rate(currentUser(req), String(req.params.number), formBody(req)), '感谢您的评价。');
  action('close', (req) => needs.close(currentUser(req), String(req.params.number), formBody(req)), '需求已关闭。');

  async function renderExpert(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const form = await needs.expertForm(currentUser(req), idParam(req.params.id));
    res.status(status).render('needs/expert', { title: `专家档案：${form.expert.name}`, form, values: form.values, errors: {}, labels: needLabels, ...extra });
  }
  router.get('/experts/:id/profile', requireLogin, (req, res) => renderExpert(req, res, 200));
  router.post(
    '/experts/:id/profile',
    requireLogin,
    formAction(
      async (req, res) => {
        await needs.saveExpert(currentUser(req), idParam(req.params.id), formBody(req));
        flash(req, 'success', '专家档案已保存，匹配推荐按新的接单状态和在办上限计算。');
        res.redirect(303, `/experts/${idParam(req.params.id)}/profile`);
      },
      (req, res, r) => renderExpert(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );
  return router;
}
