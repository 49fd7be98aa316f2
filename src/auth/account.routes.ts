import { Router } from 'express';
import type { DrizzleSessionStore } from '../db/session-store.js';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireLogin } from '../http/guards.js';
import type { AuthService } from './auth.service.js';
import { accountPage, passwordPage } from './auth.view.js';
import { homeFor } from './home.js';

/** The signed-in user's own account and password. */
export function accountRoutes(deps: { auth: AuthService; sessionStore: DrizzleSessionStore }): Router {
  const { auth, sessionStore } = deps;
  const router = Router();

  router.get('/account', requireLogin, (req, res) => {
    res.render('auth/account', accountPage(currentUser(req)));
  });

  router.get('/account/password', requireLogin, (req, res) => {
    res.render('auth/password', passwordPage(currentUser(req)));
  });

  router.post(
    '/account/password',
    requireLogin,
    formAction(
      async (req, res) => {
        const user = currentUser(req);
        await auth.changePassword(user, req.body);
        // Sign out every other device that knew the old password.
        await sessionStore.destroyUserSessions(user.id, req.sessionID);
        flash(req, 'success', '密码已修改。其他设备上的登录已失效。');
        res.redirect(homeFor(user.role));
      },
      (req, res, r) => res.status(r.status).render('auth/password', passwordPage(currentUser(req), { errors: r.errors, formError: r.formError })),
    ),
  );

  return router;
}
