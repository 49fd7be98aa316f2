import { Router, type Request, type Response } from 'express';
import { ROLE_LABELS } from '../auth/auth.view.js';
import type { AuditService } from '../audit/audit.service.js';
import { BOOKING_KIND_LABELS, DELIVERY_MODE_LABELS, NODE_KIND_LABELS } from '../catalog/catalog.view.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { flash } from '../http/flash.js';
import { keptValues } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import { formatCell, toCsv, toXlsx } from '../stats/export.js';
import type { StatsService } from '../stats/stats.service.js';
import { PERIOD_PRESETS } from '../stats/stats.view.js';
import type { AccountsService } from './accounts.service.js';
import type { NetworkService } from './network.service.js';


export function adminRoutes(deps: { stats: StatsService; network: NetworkService; accounts: AccountsService; audit: AuditService }): Router {
  const { stats, network, accounts, audit } = deps;
  const router = Router();
  const labels = { nodeKinds: NODE_KIND_LABELS, deliveryModes: DELIVERY_MODE_LABELS, kinds: BOOKING_KIND_LABELS, roles: ROLE_LABELS };

  const periodQuery = (req: Request) => ({ period: queryText(req.query.period, 10), from: queryText(req.query.from, 10), to: queryText(req.query.to, 10) });

  /** Re-renders a management form with 422 (field messages, input kept) or 409 (state refuses). */
  function refused(res: Response, err: unknown, view: string, locals: Record<string, unknown>) {
    if (err instanceof ValidationError) return res.status(422).render(view, { ...locals, errors: err.fieldErrors, formError: err.message });
    if (err instanceof ConflictError) return res.status(409).render(view, { ...locals, errors: {}, formError: err.message });
    throw err;
  }

  // ───── dashboards ─────

  router.get('/admin', requireAction('stats.read'), async (req, res) => {
    const user = currentUser(req);
    const query = periodQuery(req);
    try {
      const dashboard = await stats.dashboard(user, query);
      res.render('admin/dashboard', { title: '统计看板', ...dashboard, presets: PERIOD_PRESETS, query, formatCell, labels, scripts: ['/vendor/echarts/echarts.min.js', '/static/js/dashboard.js'] });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const dashboard = await stats.dashboard(user, {});
      res.status(422).render('admin/dashboard', { title: '统计看板', ...dashboard, presets: PERIOD_PRESETS, query, formatCell, labels, errors: err.fieldErrors, formError: err.message, scripts: ['/vendor/echarts/echarts.min.js', '/static/js/dashboard.js'] });
    }
  });

  router.get('/admin/export/:file', requireAction('stats.read'), async (req, res) => {
    const match = /^([a-z]+)\.(csv|xlsx)$/.exec(String(req.params.file));
    if (!match) throw new NotFoundError();
    const [, key, format] = match;
    const dashboard = await stats.dashboard(currentUser(req), periodQuery(req));
    const table = dashboard.tables[key!];
    if (!table) throw new NotFoundError('没有这张表。');
    const name = `${table.title}_${dashboard.period.from}_${dashboard.period.to}`;
    if (format === 'csv') {
      res.attachment(`${name}.csv`).type('text/csv; charset=utf-8').send(toCsv(table));
    } else {
      const body = await toXlsx(table, `${dashboard.scopeLabel} · ${dashboard.period.label}`);
      res.attachment(`${name}.xlsx`).type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(body);
    }
  });

  // ───── nodes, offerings, capacity, closures ─────

  router.get('/admin/nodes', requireAction('catalog.manage'), async (req, res) => {
    res.render('admin/nodes', { title: '网点管理', nodes: await network.listNodes(currentUser(req)), labels });
  });

  async function renderNodeForm(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    const { parks } = await network.nodeFormOptions(currentUser(req));
    res.status(status).render('admin/node-form', { title: locals.nodeId ? '修改网点' : '新建网点', parks, labels, errors: {}, values: {}, ...locals });
  }

  router.get('/admin/nodes/new', requireAction('catalog.manage'), async (req, res) => {
    await renderNodeForm(req, res, 200, { values: { kind: 'station' } });
  });

  router.post('/admin/nodes', requireAction('catalog.manage'), async (req, res) => {
    try {
      const node = await network.createNode(currentUser(req), req.body);
      flash(req, 'success', `已新建网点“${node.name}”。下一步：为它开通服务并设置名额。`);
      res.redirect(303, `/admin/nodes/${node.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderNodeForm(req, res, 422, { values: keptValues(req.body), errors: err.fieldErrors, formError: err.message });
    }
  });

  router.get('/admin/nodes/:id', requireAction('node.manage'), async (req, res) => {
    const detail = await network.nodeDetail(currentUser(req), idParam(req.params.id));
    res.render('admin/node', { title: detail.node.name, ...detail, labels, errors: {}, values: {} });
  });

  router.get('/admin/nodes/:id/edit', requireAction('catalog.manage'), async (req, res) => {
    const id = idParam(req.params.id);
    const detail = await network.nodeDetail(currentUser(req), id);
    await renderNodeForm(req, res, 200, { nodeId: id, values: { ...detail.node, parkId: detail.node.parkId ?? '' } });
  });

  router.post('/admin/nodes/:id', requireAction('catalog.manage'), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await network.updateNode(currentUser(req), id, req.body);
      flash(req, 'success', '网点信息已保存。');
      res.redirect(303, `/admin/nodes/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderNodeForm(req, res, 422, { nodeId: id, values: keptValues(req.body), errors: err.fieldErrors, formError: err.message });
    }
  });

  router.post('/admin/nodes/:id/active', requireAction('catalog.manage'), async (req, res) => {
    const id = idParam(req.params.id);
    const active = (req.body as Record<string, unknown>).active === '1';
    await network.setNodeActive(currentUser(req), id, active);
    flash(req, 'success', active ? '网点已启用。' : '网点已停用：不再接受新预约，历史预约和报告保留可查。');
    res.redirect(303, `/admin/nodes/${id}`);
  });

  /** Node page actions: success → back to the page; refusal → the page again with the message at the form. */
  async function nodeAction(req: Request, res: Response, form: string, action: () => Promise<string>) {
    const id = idParam(req.params.id);
    try {
      flash(req, 'success', await action());
      res.redirect(303, `/admin/nodes/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      const detail = await network.nodeDetail(currentUser(req), id);
      refused(res, err, 'admin/node', { title: detail.node.name, ...detail, labels, values: keptValues(req.body), openForm: form });
    }
  }

  router.post('/admin/nodes/:id/offerings', requireAction('catalog.manage'), (req, res) =>
    nodeAction(req, res, 'offering', async () => {
      await network.addOffering(currentUser(req), idParam(req.params.id), req.body);
      return '已开通服务。';
    }),
  );

  router.post('/admin/nodes/:id/offerings/:oid/capacity', requireAction('node.manage'), (req, res) =>
    nodeAction(req, res, `capacity-${String(req.params.oid)}`, async () => {
      await network.setCapacity(currentUser(req), idParam(req.params.id), idParam(req.params.oid), req.body);
      return '名额已调整，自今天起的时段按新名额开放。';
    }),
  );

  router.post('/admin/nodes/:id/offerings/:oid/active', requireAction('catalog.manage'), (req, res) =>
    nodeAction(req, res, 'offering', async () => {
      const active = (req.body as Record<string, unknown>).active === '1';
      await network.setOfferingActive(currentUser(req), idParam(req.params.id), idParam(req.params.oid), active);
      return active ? '已恢复该服务。' : '已停止该服务的新预约，已有预约不受影响。';
    }),
  );

  router.post('/admin/nodes/:id/closures', requireAction('node.manage'), (req, res) =>
    nodeAction(req, res, 'closure', async () => {
      const { affected } = await network.addClosure(currentUser(req), idParam(req.params.id), req.body);
      return affected.length ? `已设置暂停服务；${affected.length} 笔受影响的预约已通知企业：${affected.join('、')}。` : '已设置暂停服务。';
    }),
  );

  router.post('/admin/nodes/:id/closures/:cid/delete', requireAction('node.manage'), (req, res) =>
    nodeAction(req, res, 'closure', async () => {
      await network.removeClosure(currentUser(req), idParam(req.params.id), idParam(req.params.cid));
      return '已取消该暂停安排。';
    }),
  );

  // ───── services ─────

  router.get('/admin/services', requireAction('catalog.manage'), async (req, res) => {
    res.render('admin/services', { title: '服务目录管理', services: await network.listServices(currentUser(req)), labels });
  });

  async function renderServiceForm(req: Request, res: Response, status: number, id: number | undefined, locals: Record<string, unknown>) {
    const { refs, service } = await network.serviceForm(currentUser(req), id);
    const values = locals.values ?? (service ? { ...service, standards: service.standards.join('\n'), requiredDocuments: service.requiredDocuments.join('\n') } : { bookingKind: 'consultation', deliveryModes: ['on_site', 'online'] });
    res.status(status).render('admin/service-form', { title: service ? `修改服务 ${service.code}` : '新建服务', refs, service, labels, errors: {}, ...locals, values });
  }

  router.get('/admin/services/new', requireAction('catalog.manage'), (req, res) => renderServiceForm(req, res, 200, undefined, {}));
  router.get('/admin/services/:id/edit', requireAction('catalog.manage'), (req, res) => renderServiceForm(req, res, 200, idParam(req.params.id), {}));

  router.post('/admin/services', requireAction('catalog.manage'), async (req, res) => {
    try {
      const service = await network.createService(currentUser(req), req.body);
      flash(req, 'success', `已新建服务 ${service.code}。到网点页面为它开通网点并设置名额后即可预约。`);
      res.redirect(303, '/admin/services');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderServiceForm(req, res, 422, undefined, { values: keptValues(req.body), errors: err.fieldErrors, formError: err.message });
    }
  });

  router.post('/admin/services/:id', requireAction('catalog.manage'), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await network.updateService(currentUser(req), id, req.body);
      flash(req, 'success', '服务已保存。');
      res.redirect(303, '/admin/services');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderServiceForm(req, res, 422, id, { values: keptValues(req.body), errors: err.fieldErrors, formError: err.message });
    }
  });

  router.post('/admin/services/:id/active', requireAction('catalog.manage'), async (req, res) => {
    const active = (req.body as Record<string, unknown>).active === '1';
    await network.setServiceActive(currentUser(req), idParam(req.params.id), active);
    flash(req, 'success', active ? '服务已上线。' : '服务已下线：不再接受新预约，已有预约照常办理。');
    res.redirect(303, '/admin/services');
  });

  // ───── users ─────

  router.get('/admin/users', requireAction('staff.manage'), async (req, res) => {
    const query = { role: queryText(req.query.role, 20), q: queryText(req.query.q, 40), active: queryText(req.query.active, 1) };
    const result = await accounts.listUsers(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('admin/users', { title: '账号管理', ...result, query, labels });
  });

  async function renderUserForm(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    const options = await accounts.userFormOptions(currentUser(req));
    res.status(status).render('admin/user-form', { title: '新建账号', ...options, labels, errors: {}, values: {}, ...locals });
  }

  router.get('/admin/users/new', requireAction('staff.manage'), (req, res) => renderUserForm(req, res, 200, { values: { role: 'lab_staff', nodeId: currentUser(req).nodeId ?? '' } }));

  router.post('/admin/users', requireAction('staff.manage'), async (req, res) => {
    try {
      const { temporaryPassword } = await accounts.createUser(currentUser(req), req.body);
      const body = req.body as Record<string, string>;
      // Shown once, on this response only: the temporary password is never stored in a session or a log.
      res.render('admin/temporary-password', { title: '账号已创建', name: body.name, mobile: body.mobile, temporaryPassword, created: true });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await renderUserForm(req, res, 422, { values: keptValues(req.body), errors: err.fieldErrors, formError: err.message });
    }
  });

  router.post('/admin/users/:id/reset-password', requireAction('staff.manage'), async (req, res) => {
    try {
      const { name, temporaryPassword } = await accounts.resetPassword(currentUser(req), idParam(req.params.id));
      res.render('admin/temporary-password', { title: '密码已重置', name, temporaryPassword, created: false });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      flash(req, 'warning', err.message);
      res.redirect(303, '/admin/users');
    }
  });

  router.post('/admin/users/:id/active', requireAction('staff.manage'), async (req, res) => {
    const active = (req.body as Record<string, unknown>).active === '1';
    try {
      await accounts.setUserActive(currentUser(req), idParam(req.params.id), active);
      flash(req, 'success', active ? '账号已启用。' : '账号已停用，已强制退出登录；其办理记录保留。');
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      flash(req, 'warning', err.message);
    }
    res.redirect(303, '/admin/users');
  });

  // ───── enterprises ─────

  router.get('/admin/enterprises', requireAction('enterprise.manage'), async (req, res) => {
    const query = { review: queryText(req.query.review, 10), q: queryText(req.query.q, 40), park: queryText(req.query.park, 9), active: queryText(req.query.active, 1) };
    const result = await accounts.listEnterprises(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('admin/enterprises', { title: '企业管理', ...result, query, labels });
  });

  router.post('/admin/enterprises/:id/review', requireAction('enterprise.manage'), async (req, res) => {
    try {
      await accounts.reviewEnterprise(currentUser(req), idParam(req.params.id), req.body);
      flash(req, 'success', '复核结果已保存，企业已收到通知。');
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      flash(req, 'danger', err instanceof ValidationError ? (Object.values(err.fieldErrors)[0] ?? err.message) : err.message);
      return res.redirect(303, '/admin/enterprises?review=pending');
    }
    res.redirect(303, '/admin/enterprises?review=pending');
  });

  router.post('/admin/enterprises/:id/active', requireAction('enterprise.manage'), async (req, res) => {
    const active = (req.body as Record<string, unknown>).active === '1';
    await accounts.setEnterpriseActive(currentUser(req), idParam(req.params.id), active);
    flash(req, 'success', active ? '企业已启用。' : '企业已停用：其账号不能再登录，历史预约和报告保留。');
    res.redirect(303, '/admin/enterprises');
  });

  // ───── audit log ─────

  router.get('/admin/audit', requireAction('audit.read'), async (req, res) => {
    const query = { actor: queryText(req.query.actor, 40), booking: queryText(req.query.booking, 30), action: queryText(req.query.action, 60), from: queryText(req.query.from, 10), to: queryText(req.query.to, 10) };
    const result = await audit.list(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('admin/audit', { title: '审计日志', ...result, query, labels });
  });

  return router;
}
