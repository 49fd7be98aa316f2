import { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit, ipKeyGenerator, type RateLimitRequestHandler } from 'express-rate-limit';
import type { PassportInstance } from './passport.js';
import type { Store } from 'express-rate-limit';
import type { DrizzleSessionStore } from '../db/session-store.js';
import { flash } from '../http/flash.js';
import { renderInvalid } from '../http/forms.js';
import { currentUser, requireLogin, safeNextPath } from '../http/guards.js';
import { parseInput } from '../shared/validation.js';
import { ROLE_LABELS } from './access.js';
import { loginSchema } from './auth.schemas.js';
import type { AuthService } from './auth.service.js';
import { homeFor } from './home.js';
import { PASSWORD_RULE } from './password.js';

export interface LoginThrottle {
  /** Failed attempts per source address. */
  perIp: { limit: number; windowMs: number };
  /** Failed attempts per account identifier (counted whether or not the account exists). */
  perAccount: { limit: number; windowMs: number };
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottle = {
  perIp: { limit: 30, windowMs: 15 * 60_000 },
  perAccount: { limit: 5, windowMs: 15 * 60_000 },
};

const THROTTLED_MESSAGE = (minutes: number) =>
  `登录失败次数过多。为保护账号安全，请 ${minutes} 分钟后再试；忘记密码请联系所在单位管理员或平台客服重置。`;

function identifierKey(req: Request): string {
  const raw = (req.body as Record<string, unknown> | undefined)?.identifier;
  return typeof raw === 'string' && raw.trim() ? raw.trim().toLowerCase().slice(0, 120) : `ip:${ipKeyGenerator(req.ip ?? '')}`;
}

export function authRoutes(deps: {
  auth: AuthService;
  /** The parks a company can choose at registration. */
  parks: () => Promise<{ id: number; name: string }[]>;
  /** A rate-limit store shared by every app process, per key prefix. */
  rateLimitStore: (prefix: string) => Store;
  passport: PassportInstance;
  sessionStore: DrizzleSessionStore;
  throttle: LoginThrottle;
  /** Puts a CSRF token into the new session at once, so pages opened in parallel right after login share it. */
  issueCsrfToken: (req: Request) => void;
}): Router {
  const { auth, parks, rateLimitStore, passport, sessionStore, throttle, issueCsrfToken } = deps;
  const router = Router();

  const limiter = (prefix: string, cfg: { limit: number; windowMs: number }, keyGenerator?: (req: Request) => string): RateLimitRequestHandler =>
    rateLimit({
      windowMs: cfg.windowMs,
      limit: cfg.limit,
      // Only failed logins count (successful ones answer with a redirect, below 400).
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: rateLimitStore(prefix),
      ...(keyGenerator ? { keyGenerator } : {}),
      handler: (req, res) => {
        const minutes = Math.ceil(cfg.windowMs / 60_000);
        res.status(429).render('auth/login', {
          title: '登录',
          values: { identifier: (req.body as Record<string, unknown>)?.identifier ?? '' },
          errors: {},
          formError: THROTTLED_MESSAGE(minutes),
          next: safeNextPath((req.body as Record<string, unknown>)?.next),
        });
      },
    });
  const loginPerIp = limiter('login-ip', throttle.perIp);
  const loginPerAccount = limiter('login-account', throttle.perAccount, identifierKey);

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(homeFor(req.user.role));
    res.render('auth/login', { title: '登录', values: {}, errors: {}, next: safeNextPath(req.query.next) });
  });

  router.post('/login', loginPerIp, loginPerAccount, (req: Request, res: Response, next: NextFunction) => {
    const nextPath = safeNextPath((req.body as Record<string, unknown>)?.next);
    try {
      parseInput(loginSchema, req.body);
    } catch (err) {
      return renderInvalid(res, err, 'auth/login', { title: '登录', values: req.body, next: nextPath });
    }
    passport.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) {
        // One message for unknown account and wrong password alike.
        return res.status(401).render('auth/login', {
          title: '登录',
          values: { identifier: (req.body as Record<string, unknown>).identifier },
          errors: {},
          formError: '账号或密码不正确。',
          next: nextPath,
        });
      }
      // passport ≥ 0.6 regenerates the session here: a fixed session id from before login is worthless.
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        issueCsrfToken(req);
        flash(req, 'success', `欢迎回来，${user.name}。`);
        if (user.mustChangePassword) return res.redirect('/account/password');
        res.redirect(nextPath ?? homeFor(user.role));
      });
    })(req, res, next);
  });

  router.post('/logout', (req, res, next) => {
    // req.logout regenerates the session, so the old session id stops working on the server at once.
    req.logout((err) => {
      if (err) return next(err);
      flash(req, 'info', '您已安全退出。');
      res.redirect('/');
    });
  });

  router.get('/register', async (req, res) => {
    if (req.user) return res.redirect(homeFor(req.user.role));
    res.render('auth/register', { title: '企业注册', values: {}, errors: {}, parks: await parks(), passwordRule: PASSWORD_RULE });
  });

  router.post('/register', async (req, res, next) => {
    try {
      const result = await auth.register(req.body);
      const user = await auth.loadPrincipal(result.userId);
      req.login(user!, (err) => {
        if (err) return next(err);
        issueCsrfToken(req);
        flash(
          req,
          'success',
          result.creditCodeNeedsReview
            ? '注册成功。您确认的统一社会信用代码将由平台管理员复核，复核期间可正常预约。'
            : '注册成功，欢迎使用舟山市质量基础设施一站式服务平台。',
        );
        res.redirect(homeFor('enterprise'));
      });
    } catch (err) {
      renderInvalid(res, err, 'auth/register', {
        title: '企业注册',
        values: req.body,
        parks: await parks(),
        passwordRule: PASSWORD_RULE,
      });
    }
  });

  router.get('/account', requireLogin, (req, res) => {
    const user = currentUser(req);
    res.render('auth/account', { title: '我的账号', account: user, roleLabel: ROLE_LABELS[user.role] });
  });

  router.get('/account/password', requireLogin, (req, res) => {
    res.render('auth/password', { title: '修改密码', values: {}, errors: {}, passwordRule: PASSWORD_RULE, forced: currentUser(req).mustChangePassword });
  });

  router.post('/account/password', requireLogin, async (req, res) => {
    const user = currentUser(req);
    try {
      await auth.changePassword(user, req.body);
    } catch (err) {
      return renderInvalid(res, err, 'auth/password', {
        title: '修改密码',
        values: {},
        passwordRule: PASSWORD_RULE,
        forced: user.mustChangePassword,
      });
    }
    // Sign out every other device that knew the old password.
    await sessionStore.destroyUserSessions(user.id, req.sessionID);
    flash(req, 'success', '密码已修改。其他设备上的登录已失效。');
    res.redirect(homeFor(user.role));
  });

  return router;
}

