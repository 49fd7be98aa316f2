import { Router, type Request, type Response } from 'express';
import { isCoordinator } from '../auth/access.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, refusalAsMessage } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { needHref } from './needs.js';
import type { NeedsService } from './needs.service.js';
import { needLabels } from './needs.view.js';

/** /needs (list and form), /needs/:number (thread and actions), /coordinator/needs (figures and the pool). */
export function needsRoutes(deps: { needs: NeedsService }): Router {
  const { needs } = deps;
  const router = Router();

  async function renderList(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    res.status(status).render('needs/list', { title: '质量需求', list: await needs.list(user), canSubmit: user.role === 'enterprise' || user.role === 'park_admin', coordinator: isCoordinator(user) || user.role === 'platform_admin', labels: needLabels, values: {}, errors: {}, ...extra });
  }
  router.get('/needs', requireAction('need.read'), (req, res) => renderList(req, res, 200));
  router.post(
    '/needs',
    requireAction('need.submit'),
    formAction(
      async (req, res) => {
        const number = await needs.submit(currentUser(req), formBody(req));
        flash(req, 'success', `需求已提交，编号 ${number}。协调人将尽快为您匹配专家。`);
        res.redirect(303, needHref(number));
      },
      (req, res, r) => renderList(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  router.get('/coordinator/needs', requireLogin, async (req, res) => {
    res.render('needs/dashboard', { title: '质量需求统计', board: await needs.dashboard(currentUser(req)), labels: needLabels });
  });

  router.get('/needs/:number', requireAction('need.read'), async (req, res) => {
    const view = await needs.page(currentUser(req), String(req.params.number));
    res.render('needs/detail', { title: `质量需求 ${view.need.number}`, view, labels: needLabels, values: {}, errors: {} });
  });

  const back = (req: Request) => needHref(String(req.params.number));
  const action = (name: string, run: (req: Request) => Promise<unknown>, done: string) =>
    router.post(
      `/needs/:number/${name}`,
      requireAction('need.read'),
      formAction(
        async (req, res) => {
          await run(req);
          flash(req, 'success', done);
          res.redirect(303, back(req));
        },
        refusalAsMessage('danger', back),
      ),
    );
  action('messages', (req) => needs.message(currentUser(req), String(req.params.number), formBody(req)), '留言已发送。');
  action('assign', (req) => needs.assign(currentUser(req), String(req.params.number), formBody(req)), '已指派专家。');
  action('accept', (req) => needs.accept(currentUser(req), String(req.params.number)), '已接单，请在期限内首次答复。');
  action('resolve', (req) => needs.resolve(currentUser(req), String(req.params.number), formBody(req)), '已提交答复结论。');
  action('rating', (req) => needs.rate(currentUser(req), String(req.params.number), formBody(req)), '感谢您的评价。');
  action('close', (req) => needs.close(currentUser(req), String(req.params.number), formBody(req)), '需求已关闭。');
  return router;
}
