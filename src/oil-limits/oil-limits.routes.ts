import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, queryText } from '../http/params.js';
import type { OilLimitsService } from './oil-limits.service.js';

export function oilLimitsRoutes(deps: { limits: OilLimitsService }): Router {
  const { limits } = deps;
  const router = Router();
  const admins = requireAction('limits.verify');

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const page = await limits.list(currentUser(req), { grade: queryText(req.query.grade, 40), status: queryText(req.query.status, 12) });
    res.status(status).render('oil-limits/index', { title: '油品限值核实', ...page, errors: {}, values: {}, ...extra });
  }

  router.get('/admin/oil-limits', admins, (req, res) => render(req, res, 200));

  router.post(
    '/admin/oil-limits/:id/verify',
    admins,
    formAction(
      async (req, res) => {
        await limits.verify(currentUser(req), idParam(req.params.id), req.body);
        flash(req, 'success', '已标记为已核实，此后按该限值自动判定。');
        res.redirect(303, '/admin/oil-limits');
      },
      (req, res, r) => render(req, res, r.status, { errors: r.errors, formError: r.firstError, values: r.values, openId: req.params.id }),
    ),
  );

  return router;
}
