import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import { WEEKDAY_LABELS } from './windows.js';
import { formRowsOf } from './windows.schemas.js';
import type { WindowsService } from './windows.service.js';

export const windowsHref = (nodeId: number, offeringId: number) => `/admin/nodes/${nodeId}/offerings/${offeringId}/windows`;

/** A node-service's own booking windows (nights, weekends, holidays): the node manager's or platform admin's page. */
export function windowsRoutes(windows: WindowsService): Router {
  const router = Router();
  const managers = requireAction('node.manage');
  const path = '/admin/nodes/:id/offerings/:oid/windows';

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}, posted?: ReturnType<typeof formRowsOf>) {
    const nodeId = idParam(req.params.id);
    const page = await windows.page(currentUser(req), nodeId, idParam(req.params.oid), posted);
    res.status(status).render('capacity/windows', { title: `收样时段：${page.offering.serviceName}`, ...page, nodeId, action: windowsHref(nodeId, page.offering.id), weekdays: WEEKDAY_LABELS, errors: {}, ...extra });
  }

  router.get(path, managers, (req, res) => render(req, res, 200));

  router.post(
    path,
    managers,
    formAction(
      async (req, res) => {
        const nodeId = idParam(req.params.id);
        const saved = await windows.save(currentUser(req), nodeId, idParam(req.params.oid), formBody(req));
        flash(req, 'success', saved.count ? '收样时段已保存，自今天起按新时段接受预约；已有的预约不受影响。' : '已恢复为工作日上午 / 下午两个时段。');
        res.redirect(303, windowsHref(nodeId, saved.offering.id));
      },
      (req, res, r) => render(req, res, r.status, { errors: r.errors, formError: r.formError }, formRowsOf(formBody(req))),
    ),
  );

  return router;
}
