import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/client.js';
import { formBody } from '../http/forms.js';
import { requireLogin, safeNextPath } from '../http/guards.js';
import { LARGE_TEXT_COOKIE, LARGE_TEXT_COOKIE_MAX_AGE_MS, LARGE_TEXT_VALUE, setLargeText } from './display.js';

/**
 * The 大字版 switch in the header. Signed in: a POST (with the form's CSRF token) that keeps the choice on the account.
 * A visitor: a plain link that keeps it in a cookie — a form would start a session on every public page just for its
 * token, and a display preference is nothing an attacker gains by setting.
 */
export function displayRoutes(deps: { db: Db; secureCookies: boolean }): Router {
  const router = Router();

  function remember(res: Response, on: boolean) {
    if (on) res.cookie(LARGE_TEXT_COOKIE, LARGE_TEXT_VALUE, { maxAge: LARGE_TEXT_COOKIE_MAX_AGE_MS, httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/' });
    else res.clearCookie(LARGE_TEXT_COOKIE, { path: '/' });
  }
  const back = (req: Request, next: unknown) => safeNextPath(next) ?? '/';

  router.get('/display', (req, res) => {
    remember(res, req.query.large === '1');
    res.redirect(303, back(req, req.query.next));
  });

  router.post('/display', requireLogin, async (req, res) => {
    const body = formBody(req);
    const on = body.large === '1';
    await setLargeText(deps.db, req.user!.id, on);
    remember(res, on);
    res.redirect(303, back(req, body.next));
  });

  return router;
}
