import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { existingNodeName } from '../http/node-param.js';
import { idParam } from '../http/params.js';
import type { StandardsService } from './standards.service.js';
import { standardsHref } from './standards.view.js';

export function standardsRoutes(deps: { standards: StandardsService; nodeName: (id: number) => Promise<string | undefined> }): Router {
  const { standards, nodeName } = deps;
  const router = Router();
  const managers = requireAction('standard.manage');

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const nodeId = idParam(req.params.id);
    const pageData = await standards.page(currentUser(req), nodeId);
    res.status(status).render('standards/index', { title: '计量标准', nodeId, nodeName: await existingNodeName(nodeId, nodeName), ...pageData, values: {}, errors: {}, ...extra });
  }

  router.get('/admin/nodes/:id/standards', managers, (req, res) => render(req, res, 200));

  router.post(
    '/admin/nodes/:id/standards',
    managers,
    formAction(
      async (req, res) => {
        const nodeId = idParam(req.params.id);
        await existingNodeName(nodeId, nodeName);
        const name = await standards.add(currentUser(req), nodeId, req.body as Record<string, unknown>);
        flash(req, 'success', `已登记计量标准“${name}”，检定/校准人员录入结果时可以选用。`);
        res.redirect(303, standardsHref(nodeId));
      },
      (req, res, r) => render(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  router.post(
    '/admin/nodes/:id/standards/:sid/retire',
    managers,
    formAction(
      async (req, res) => {
        const nodeId = idParam(req.params.id);
        await existingNodeName(nodeId, nodeName);
        const name = await standards.retire(currentUser(req), nodeId, idParam(req.params.sid));
        flash(req, 'success', `计量标准“${name}”已停用；已出具的证书仍载明它。`);
        res.redirect(303, standardsHref(nodeId));
      },
      (req, res, r) => render(req, res, r.status, { formError: r.formError }),
    ),
  );

  return router;
}
