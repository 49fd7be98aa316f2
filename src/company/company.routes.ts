import { Router, type Request, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { homeFor } from '../auth/home.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, refusalAsMessage, switchedOn } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import { NotFoundError } from '../shared/errors.js';
import type { CompanyService } from './company.service.js';
import { COMPANY_FLASH, COMPANY_PATH, workspacePage } from './company.view.js';
import { RESET_SENT } from './password-reset.js';

export interface CompanyRoutesDeps {
  company: CompanyService;
  rateLimitStore: (prefix: string) => Store;
  /** Opening or using invitation and reset links, per address (default 20 per 10 minutes). */
  tokenLimit: { limit: number; windowMs: number };
  /** Signs the invited colleague in once their account exists (the auth feature's sign-in). */
  signIn: (req: Request, user: Express.User) => Promise<void>;
}

const tokenParam = (v: unknown) => (typeof v === 'string' && v.length <= 64 ? v : '');

/** The company workspace (/company, company admins) and the public token pages (/invite/:token, /password/…). */
export function companyRoutes(deps: CompanyRoutesDeps): Router {
  const { company } = deps;
  const router = Router();
  const admin = requireAction('company.manage');
  const back = refusalAsMessage('danger', () => COMPANY_PATH);

  const renderWorkspace = async (req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) =>
    res.status(status).render('company/workspace', workspacePage(await company.workspace(currentUser(req)), extra));

  router.get(COMPANY_PATH, admin, (req, res) => renderWorkspace(req, res));

  router.post(
    '/company/invitations',
    admin,
    formAction(
      async (req, res) => {
        const created = await company.invite(currentUser(req), formBody(req));
        res.status(201).render('company/invitation-created', { title: '邀请链接', ...created });
      },
      (req, res, r) => renderWorkspace(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );
  router.post(
    '/company/invitations/:id/revoke',
    admin,
    formAction(async (req, res) => {
      await company.revokeInvitation(currentUser(req), idParam(req.params.id));
      flash(req, 'success', COMPANY_FLASH.revoked);
      res.redirect(303, COMPANY_PATH);
    }, back),
  );
  router.post(
    '/company/users/:id/active',
    admin,
    formAction(async (req, res) => {
      const on = switchedOn(req);
      const target = await company.setActive(currentUser(req), idParam(req.params.id), on);
      flash(req, 'success', on ? COMPANY_FLASH.reactivated(target.name) : COMPANY_FLASH.deactivated(target.name));
      res.redirect(303, COMPANY_PATH);
    }, back),
  );
  router.post(
    '/company/users/:id/admin',
    admin,
    formAction(async (req, res) => {
      const body = formBody(req);
      const target = await company.setAdmin(currentUser(req), idParam(req.params.id), body);
      flash(req, 'success', body.admin === '1' ? COMPANY_FLASH.adminGranted(target.name) : COMPANY_FLASH.adminWithdrawn(target.name));
      res.redirect(303, COMPANY_PATH);
    }, back),
  );
  router.post('/company/users/:id/reset-password', admin, async (req, res) => {
    const result = await company.resetColleaguePassword(currentUser(req), idParam(req.params.id));
    res.render('company/temporary-password', { title: '临时密码', ...result });
  });
  for (const [verb, act] of [['approve', company.approveJoin], ['refuse', company.refuseJoin]] as const) {
    router.post(
      `/company/join-requests/:id/${verb}`,
      admin,
      formAction(async (req, res) => {
        await act(currentUser(req), idParam(req.params.id));
        flash(req, 'success', verb === 'approve' ? COMPANY_FLASH.approved : COMPANY_FLASH.refused);
        res.redirect(303, COMPANY_PATH);
      }, back),
    );
  }

  // ── public pages opened with a one-time token: limited per address, so tokens cannot be tried through ──
  const limited = (prefix: string) =>
    rateLimit({
      windowMs: deps.tokenLimit.windowMs,
      limit: deps.tokenLimit.limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: deps.rateLimitStore(prefix),
      handler: (_req, res) => res.status(429).render('company/token-invalid', { title: '请稍后再试', message: `尝试次数过多，请 ${Math.max(1, Math.ceil(deps.tokenLimit.windowMs / 60_000))} 分钟后再试。` }),
    });
  const invitationLimit = limited('invite');
  const resetLimit = limited('reset');
  const invalid = (res: Response, err: unknown) => {
    if (!(err instanceof NotFoundError)) throw err;
    res.status(404).render('company/token-invalid', { title: '链接无效', message: err.message });
  };

  router.get('/invite/:token', invitationLimit, async (req, res) => {
    try {
      const invitation = await company.openInvitation(tokenParam(req.params.token));
      res.render('company/accept-invitation', { title: '加入企业账号', invitation, token: req.params.token, values: {}, errors: {} });
    } catch (err) {
      invalid(res, err);
    }
  });
  router.post('/invite/:token', invitationLimit, async (req, res, next) => {
    const token = tokenParam(req.params.token);
    await formAction(
      async () => {
        const user = await company.acceptInvitation(token, formBody(req));
        await deps.signIn(req, user);
        flash(req, 'success', '账号已创建，欢迎加入。您可以查看本企业的全部预约。');
        res.redirect(303, homeFor('enterprise'));
      },
      async (_req, _res, r) => res.status(r.status).render('company/accept-invitation', { title: '加入企业账号', invitation: await company.openInvitation(token), token, values: r.values, errors: r.errors, formError: r.formError }),
    )(req, res, (err?: unknown) => (err instanceof NotFoundError ? invalid(res, err) : next(err)));
  });

  router.get('/password/forgot', (_req, res) => res.render('company/forgot', { title: '找回密码', resetByEmail: company.resetByEmail, values: {}, errors: {} }));
  router.post(
    '/password/forgot',
    resetLimit,
    formAction(
      async (_req, res) => {
        const outcome = await company.requestReset(formBody(_req));
        res.render('company/forgot', { title: '找回密码', resetByEmail: outcome === 'sent', sent: outcome === 'sent' ? RESET_SENT : undefined, values: {}, errors: {} });
      },
      (_req, res, r) => res.status(r.status).render('company/forgot', { title: '找回密码', resetByEmail: company.resetByEmail, values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );
  router.get('/password/reset/:token', resetLimit, async (req, res) => {
    try {
      await company.checkReset(tokenParam(req.params.token));
      res.render('company/reset', { title: '设置新密码', token: req.params.token, values: {}, errors: {} });
    } catch (err) {
      invalid(res, err);
    }
  });
  router.post('/password/reset/:token', resetLimit, async (req, res, next) => {
    const token = tokenParam(req.params.token);
    await formAction(
      async () => {
        await company.reset(token, formBody(req));
        flash(req, 'success', '密码已重置，请用新密码登录。');
        res.redirect(303, '/login');
      },
      (_req, _res, r) => res.status(r.status).render('company/reset', { title: '设置新密码', token, values: {}, errors: r.errors, formError: r.formError }),
    )(req, res, (err?: unknown) => (err instanceof NotFoundError ? invalid(res, err) : next(err)));
  });

  return router;
}
