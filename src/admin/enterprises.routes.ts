import { Router } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody, refusalAsMessage, switchAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import type { AccountsService } from './accounts.service.js';
import { adminHref, adminViewLabels } from './admin.view.js';

/** The companies signed up: list, review of a doubtful credit code, (de)activation. */
export function enterprisesAdminRoutes(accounts: AccountsService): Router {
  const router = Router();
  const platform = requireAction('enterprise.manage');

  router.get('/admin/enterprises', platform, async (req, res) => {
    const query = { review: queryText(req.query.review, 10), q: queryText(req.query.q, 40), park: queryText(req.query.park, 9), active: queryText(req.query.active, 1) };
    const result = await accounts.listEnterprises(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('admin/enterprises', { title: '企业管理', ...result, query, labels: adminViewLabels });
  });

  router.post(
    '/admin/enterprises/:id/review',
    platform,
    formAction(async (req, res) => {
      await accounts.reviewEnterprise(currentUser(req), idParam(req.params.id), formBody(req));
      flash(req, 'success', '复核结果已保存，企业已收到通知。');
      res.redirect(303, adminHref.pendingReviews);
    }, refusalAsMessage('danger', () => adminHref.pendingReviews)),
  );

  router.post(
    '/admin/enterprises/:id/active',
    platform,
    switchAction(
      (req, on) => accounts.setEnterpriseActive(currentUser(req), idParam(req.params.id), on),
      { on: '企业已启用。', off: '企业已停用：其账号不能再登录，历史预约和报告保留。' },
      () => adminHref.enterprises,
    ),
  );

  return router;
}
