import { Router, type Request, type Response } from 'express';
import { formAction, formBody, refusalAsMessage, switchAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import type { AccountsService } from './accounts.service.js';
import { adminHref, adminViewLabels, temporaryPasswordPage, type FormState } from './admin.view.js';

/** Staff and admin accounts: list, create (a temporary password shown once), reset a password, (de)activate. */
export function usersRoutes(accounts: AccountsService): Router {
  const router = Router();
  const managers = requireAction('staff.manage');
  const backToList = () => adminHref.users;

  async function renderUserForm(req: Request, res: Response, status: number, state: FormState) {
    const options = await accounts.userFormOptions(currentUser(req));
    res.status(status).render('admin/user-form', { title: '新建账号', ...options, labels: adminViewLabels, errors: {}, values: {}, ...state });
  }

  router.get('/admin/users', managers, async (req, res) => {
    const query = { role: queryText(req.query.role, 20), q: queryText(req.query.q, 40), active: queryText(req.query.active, 1) };
    const result = await accounts.listUsers(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('admin/users', { title: '账号管理', ...result, query, labels: adminViewLabels });
  });

  router.get('/admin/users/new', managers, (req, res) => renderUserForm(req, res, 200, { values: { role: 'lab_staff', nodeId: currentUser(req).nodeId ?? '' } }));

  router.post(
    '/admin/users',
    managers,
    formAction(
      async (req, res) => {
        const body = formBody(req);
        const { temporaryPassword } = await accounts.createUser(currentUser(req), body);
        // Shown once, on this response only: the temporary password is never stored in a session or a log.
        res.render('admin/temporary-password', temporaryPasswordPage({ name: body.name, mobile: body.mobile }, temporaryPassword, true));
      },
      (req, res, r) => renderUserForm(req, res, r.status, { values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );

  router.post(
    '/admin/users/:id/reset-password',
    managers,
    formAction(async (req, res) => {
      const { name, temporaryPassword } = await accounts.resetPassword(currentUser(req), idParam(req.params.id));
      res.render('admin/temporary-password', temporaryPasswordPage({ name }, temporaryPassword, false));
    }, refusalAsMessage('warning', backToList)),
  );

  router.post(
    '/admin/users/:id/active',
    managers,
    switchAction(
      (req, on) => accounts.setUserActive(currentUser(req), idParam(req.params.id), on),
      { on: '账号已启用。', off: '账号已停用，已强制退出登录；其办理记录保留。' },
      backToList,
    ),
  );

  return router;
}
