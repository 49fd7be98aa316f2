import { Router } from 'express';
import type { DrizzleSessionStore } from '../db/session-store.js';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireLogin } from '../http/guards.js';
import type { AuthService } from './auth.service.js';
import { accountPage, passwordPage } from './auth.view.js';
import { homeFor } from './home.js';
import type { OnLimited, Throttle } from './throttle.js';

/** The signed-in user's own account and password. */
export function accountRoutes(deps: { auth: AuthService; sessionStore: DrizzleSessionStore; throttle: Throttle }): Router {
  const { auth, sessionStore } = deps;
  const router = Router();
  // Refused password changes per user: a wrong current password is a guess at it.
  const limited: OnLimited = (req, res, seconds) =>
    res.status(429).render('auth/password', passwordPage(currentUser(req), { formError: `当前密码输错次数过多，请 ${Math.max(1, Math.ceil(seconds / 60))} 分钟后再试。` }));

  router.get('/account', requireLogin, (req, res) => {
    res.render('auth/account', accountPage(currentUser(req)));
  });

  router.get('/account/password', requireLogin, (req, res) => {
    res.render('auth/password', passwordPage(currentUser(req)));
  });

  router.post(
    '/account/password',
    requireLogin,
    deps.throttle.passwordCheck(limited),
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
