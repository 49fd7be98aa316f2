import { Router } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import type { AuthService } from './auth.service.js';
import { registerPage } from './auth.view.js';
import { homeFor } from './home.js';
import { signIn, type SignInDeps } from './login.routes.js';
import type { OnLimited, Throttle } from './throttle.js';

const WELCOME = {
  review: '注册成功。您确认的统一社会信用代码将由平台管理员复核，复核期间可正常预约。',
  plain: '注册成功，欢迎使用舟山市质量基础设施一站式服务平台。',
  claimed: '认领成功，您已成为该企业的企业管理员，可在“我的预约”中查看窗口为贵单位办理的全部预约。',
};

/** A company signs up (the company and its first user) and is signed in at once. */
export function registerRoutes(deps: SignInDeps & { auth: AuthService; parks: () => Promise<{ id: number; name: string }[]>; throttle: Throttle }): Router {
  const { auth, parks } = deps;
  const router = Router();
  // Sign-ups per address, and refused ones (each may have said a mobile, e-mail or credit code is registered).
  const limited: OnLimited = (_req, res, seconds) =>
    void parks().then((list) => res.status(429).render('auth/register', registerPage(list, {}, { formError: `提交过于频繁，请 ${Math.max(1, Math.ceil(seconds / 60))} 分钟后再试。如已注册，请直接登录。` })));

  router.get('/register', async (req, res) => {
    if (req.user) return res.redirect(homeFor(req.user.role));
    res.render('auth/register', registerPage(await parks()));
  });

  router.post(
    '/register',
    deps.throttle.register(limited),
    formAction(
      async (req, res) => {
        const result = await auth.register(req.body);
        if (result.kind === 'join_requested') {
          return res.status(202).render('auth/join-requested', { title: '加入申请已提交', companyName: result.companyName });
        }
        await signIn(req, result.user, deps);
        flash(req, 'success', result.kind === 'claimed' ? WELCOME.claimed : result.creditCodeNeedsReview ? WELCOME.review : WELCOME.plain);
        res.redirect(homeFor('enterprise'));
      },
      async (_req, res, r) => res.status(r.status).render('auth/register', registerPage(await parks(), r.values, { errors: r.errors, formError: r.formError })),
    ),
  );

  return router;
}
