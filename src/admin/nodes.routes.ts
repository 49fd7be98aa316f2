import { Router, type Request, type Response } from 'express';
import type { Action, Principal } from '../auth/access.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, switchAction, switchedOn, type Refusal } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import { adminHref, adminViewLabels, NEW_NODE_VALUES, nodeFormPage, nodeFormValues, nodePage, type FormState } from './admin.view.js';
import type { NetworkService } from './network.service.js';

/**
 * The forms on a node's page, declared: who may post, which form a refusal reopens, and what is done and said.
 * Success leads back to the page with the message; a refusal shows the page again with the message at that form.
 */
interface NodePageAction {
  path: string;
  gate: Action;
  form: (req: Request) => string;
  run: (network: NetworkService, user: Principal, req: Request, nodeId: number) => Promise<string>;
}

const NODE_PAGE_ACTIONS: NodePageAction[] = [
  {
    path: '/admin/nodes/:id/offerings',
    gate: 'catalog.manage',
    form: () => 'offering',
    run: async (network, user, req, nodeId) => {
      await network.addOffering(user, nodeId, formBody(req));
      return '已开通服务。';
    },
  },
  {
    path: '/admin/nodes/:id/offerings/:oid/capacity',
    gate: 'node.manage',
    form: (req) => `capacity-${String(req.params.oid)}`,
    run: async (network, user, req, nodeId) => {
      await network.setCapacity(user, nodeId, idParam(req.params.oid), formBody(req));
      return '名额已调整，自今天起的时段按新名额开放。';
    },
  },
  {
    path: '/admin/nodes/:id/offerings/:oid/active',
    gate: 'catalog.manage',
    form: () => 'offering',
    run: async (network, user, req, nodeId) => {
      const active = switchedOn(req);
      await network.setOfferingActive(user, nodeId, idParam(req.params.oid), active);
      return active ? '已恢复该服务。' : '已停止该服务的新预约，已有预约不受影响。';
    },
  },
  {
    path: '/admin/nodes/:id/closures',
    gate: 'node.manage',
    form: () => 'closure',
    run: async (network, user, req, nodeId) => {
      const { affected } = await network.addClosure(user, nodeId, formBody(req));
      return affected.length ? `已设置暂停服务；${affected.length} 笔受影响的预约已通知企业：${affected.join('、')}。` : '已设置暂停服务。';
    },
  },
  {
    path: '/admin/nodes/:id/closures/:cid/delete',
    gate: 'node.manage',
    form: () => 'closure',
    run: async (network, user, req, nodeId) => {
      await network.removeClosure(user, nodeId, idParam(req.params.cid));
      return '已取消该暂停安排。';
    },
  },
];

/** The network's nodes: list, new and edit forms, (de)activation, and each node's page with its offerings and closures. */
export function nodesRoutes(network: NetworkService): Router {
  const router = Router();
  const platform = requireAction('catalog.manage');

  async function renderNodeForm(req: Request, res: Response, status: number, nodeId: number | undefined, state: FormState) {
    const { parks } = await network.nodeFormOptions(currentUser(req));
    res.status(status).render('admin/node-form', nodeFormPage(parks, nodeId, state));
  }

  async function renderNodePage(req: Request, res: Response, status: number, state: Parameters<typeof nodePage>[1] = {}) {
    const detail = await network.nodeDetail(currentUser(req), idParam(req.params.id));
    res.status(status).render('admin/node', nodePage(detail, state));
  }

  const refusedForm = (nodeIdOf: (req: Request) => number | undefined) => (req: Request, res: Response, r: Refusal) =>
    renderNodeForm(req, res, r.status, nodeIdOf(req), { values: r.values, errors: r.errors, formError: r.formError });

  router.get('/admin/nodes', platform, async (req, res) => {
    res.render('admin/nodes', { title: '网点管理', nodes: await network.listNodes(currentUser(req)), labels: adminViewLabels });
  });

  router.get('/admin/nodes/new', platform, (req, res) => renderNodeForm(req, res, 200, undefined, { values: NEW_NODE_VALUES }));

  router.post(
    '/admin/nodes',
    platform,
    formAction(async (req, res) => {
      const node = await network.createNode(currentUser(req), formBody(req));
      flash(req, 'success', `已新建网点“${node.name}”。下一步：为它开通服务并设置名额。`);
      res.redirect(303, adminHref.node(node.id));
    }, refusedForm(() => undefined)),
  );

  router.get('/admin/nodes/:id', requireAction('node.manage'), (req, res) => renderNodePage(req, res, 200));

  router.get('/admin/nodes/:id/edit', platform, async (req, res) => {
    const id = idParam(req.params.id);
    const { node } = await network.nodeDetail(currentUser(req), id);
    await renderNodeForm(req, res, 200, id, { values: nodeFormValues(node) });
  });

  router.post(
    '/admin/nodes/:id',
    platform,
    formAction(async (req, res) => {
      const id = idParam(req.params.id);
      await network.updateNode(currentUser(req), id, formBody(req));
      flash(req, 'success', '网点信息已保存。');
      res.redirect(303, adminHref.node(id));
    }, refusedForm((req) => idParam(req.params.id))),
  );

  router.post(
    '/admin/nodes/:id/active',
    platform,
    switchAction(
      (req, on) => network.setNodeActive(currentUser(req), idParam(req.params.id), on),
      { on: '网点已启用。', off: '网点已停用：不再接受新预约，历史预约和报告保留可查。' },
      (req) => adminHref.node(idParam(req.params.id)),
    ),
  );

  for (const action of NODE_PAGE_ACTIONS) {
    router.post(
      action.path,
      requireAction(action.gate),
      formAction(
        async (req, res) => {
          const nodeId = idParam(req.params.id);
          flash(req, 'success', await action.run(network, currentUser(req), req, nodeId));
          res.redirect(303, adminHref.node(nodeId));
        },
        (req, res, r) => renderNodePage(req, res, r.status, { values: r.values, errors: r.errors, formError: r.formError, openForm: action.form(req) }),
      ),
    );
  }

  return router;
}
