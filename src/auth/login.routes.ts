import { Router, type NextFunction, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody } from '../http/forms.js';
import { safeNextPath } from '../http/guards.js';
import { parseInput } from '../shared/validation.js';
import { loginSchema } from './auth.schemas.js';
import { loginPage, PASSWORD_PATH } from './auth.view.js';
import { homeFor } from './home.js';
import type { PassportInstance } from './passport.js';
import type { OnLimited, Throttle } from './throttle.js';

export interface SignInDeps {
  /** Puts a CSRF token into the new session at once, so pages opened in parallel right after login share it. */
  issueCsrfToken: (req: Request) => void;
}

const THROTTLED_MESSAGE = (minutes: number) =>
  `登录失败次数过多。为保护账号安全，请 ${minutes} 分钟后再试；忘记密码请联系所在单位管理员或平台客服重置。`;

/** Starts the user's session. passport ≥ 0.6 regenerates the session here: a fixed session id from before is worthless. */
export async function signIn(req: Request, user: Express.User, deps: SignInDeps): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
  deps.issueCsrfToken(req);
}

/** The local strategy's verdict on the posted credentials: the user, or false (unknown account and wrong password alike). */
function checkCredentials(passport: PassportInstance, req: Request, res: Response): Promise<Express.User | false> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (err?: unknown) => (err ? reject(err) : resolve(false));
    passport.authenticate('local', (err: unknown, user: Express.User | false) => (err ? reject(err) : resolve(user)))(req, res, next);
  });
}

/** Sign-in and sign-out. */
export function loginRoutes(deps: SignInDeps & { passport: PassportInstance; throttle: Throttle }): Router {
  const router = Router();
  // Over a guessing limit (per account, per address, per trusted device — see throttle.ts): the login page says when to retry.
  const limited: OnLimited = (req, res, seconds) => {
    const body = formBody(req);
    res.status(429).render('auth/login', loginPage({ identifier: body.identifier ?? '' }, safeNextPath(body.next), { formError: THROTTLED_MESSAGE(Math.max(1, Math.ceil(seconds / 60))) }));
  };

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(homeFor(req.user.role));
    res.render('auth/login', loginPage({}, safeNextPath(req.query.next)));
  });

  router.post(
    '/login',
    deps.throttle.login(limited),
    formAction(
      async (req, res) => {
        const body = formBody(req);
        const nextPath = safeNextPath(body.next);
        parseInput(loginSchema, body);
        const user = await checkCredentials(deps.passport, req, res);
        // One message for unknown account and wrong password alike.
        if (!user) return res.status(401).render('auth/login', loginPage({ identifier: body.identifier }, nextPath, { formError: '账号或密码不正确。' }));
        await signIn(req, user, deps);
        // This browser is now a known device of the account: a lock-out by someone else never keeps its owner out.
        deps.throttle.rememberDevice(req, res, user.id);
        flash(req, 'success', `欢迎回来，${user.name}。`);
        res.redirect(user.mustChangePassword ? PASSWORD_PATH : (nextPath ?? homeFor(user.role)));
      },
      (req, res, r) => res.status(r.status).render('auth/login', loginPage(r.values, safeNextPath(formBody(req).next), { errors: r.errors, formError: r.formError })),
    ),
  );

  router.post('/logout', (req, res, next) => {
    // req.logout regenerates the session, so the old session id stops working on the server at once.
    req.logout((err) => {
      if (err) return next(err);
      flash(req, 'info', '您已安全退出。');
      res.redirect('/');
    });
  });

  return router;
}
