import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import type { LedgerService } from './ledger.service.js';

declare module 'express-session' {
  interface SessionData {
    /** A calendar address just created: shown once on the next page, never stored anywhere else. */
    newCalendarUrl?: string;
  }
}

const SETTINGS = '/instruments/settings';

/** /instruments/settings: e-mail reminders for the company, the user's secret calendar address. */
export function settingsRoutes(deps: { ledger: LedgerService }): Router {
  const { ledger } = deps;
  const router = Router();
  const company = requireAction('ledger.manage');

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const newCalendarUrl = req.session.newCalendarUrl;
    delete req.session.newCalendarUrl;
    res.status(status).render('ledger/settings', { title: '提醒与日历订阅', ...(await ledger.settings(currentUser(req))), newCalendarUrl, errors: {}, ...extra });
  }

  router.get(SETTINGS, company, (req, res) => render(req, res, 200));

  router.post(
    SETTINGS,
    company,
    formAction(
      async (req, res) => {
        const on = await ledger.saveSettings(currentUser(req), formBody(req));
        flash(req, 'success', on ? '已开启到期邮件提醒：本企业有邮箱的同事都会收到。' : '已关闭到期邮件提醒（站内信提醒不受影响）。');
        res.redirect(303, SETTINGS);
      },
      (req, res, r) => render(req, res, r.status, { formError: r.formError }),
    ),
  );

  router.post('/instruments/calendar', company, async (req, res) => {
    req.session.newCalendarUrl = await ledger.createFeed(currentUser(req));
    flash(req, 'success', '已生成新的日历订阅地址，原地址（如有）已停用。');
    res.redirect(303, SETTINGS);
  });

  router.post('/instruments/calendar/revoke', company, async (req, res) => {
    const revoked = await ledger.revokeFeed(currentUser(req));
    flash(req, 'success', revoked ? '日历订阅地址已停用，日历应用将无法再更新。' : '当前没有启用的日历订阅地址。');
    res.redirect(303, SETTINGS);
  });

  return router;
}
