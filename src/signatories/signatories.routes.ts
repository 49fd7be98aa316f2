import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { existingNodeName } from '../http/node-param.js';
import { idParam } from '../http/params.js';
import type { SignatoriesService } from './signatories.service.js';
import { signatoriesHref } from './signatories.view.js';

export function signatoriesRoutes(deps: { signatories: SignatoriesService; nodeName: (id: number) => Promise<string | undefined> }): Router {
  const { signatories, nodeName } = deps;
  const router = Router();
  const managers = requireAction('signatory.manage');

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const nodeId = idParam(req.params.id);
    const pageData = await signatories.page(currentUser(req), nodeId);
    res.status(status).render('signatories/index', { title: '授权签字人', nodeId, nodeName: await existingNodeName(nodeId, nodeName), ...pageData, values: { validFrom: pageData.today }, errors: {}, ...extra });
  }

  router.get('/admin/nodes/:id/signatories', managers, (req, res) => render(req, res, 200));

  router.post(
    '/admin/nodes/:id/signatories',
    managers,
    formAction(
      async (req, res) => {
        const nodeId = idParam(req.params.id);
        await existingNodeName(nodeId, nodeName);
        const name = await signatories.grant(currentUser(req), nodeId, req.body);
        flash(req, 'success', `已授权 ${name} 为授权签字人。`);
        res.redirect(303, signatoriesHref(nodeId));
      },
      (req, res, r) => render(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  router.post(
    '/admin/nodes/:id/signatories/:sid/revoke',
    managers,
    formAction(
      async (req, res) => {
        const nodeId = idParam(req.params.id);
        await existingNodeName(nodeId, nodeName);
        await signatories.revoke(currentUser(req), nodeId, idParam(req.params.sid));
        flash(req, 'success', '授权已撤销，自即日起该人员不能再签发报告。');
        res.redirect(303, signatoriesHref(nodeId));
      },
      (req, res, r) => render(req, res, r.status, { formError: r.formError }),
    ),
  );

  return router;
}
