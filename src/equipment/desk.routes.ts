import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody, type Refusal } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { idParam, queryText } from '../http/params.js';
import { can } from '../auth/access.js';
import { ValidationError } from '../shared/errors.js';
import type { EquipmentService } from './equipment.service.js';
import { EQUIPMENT_CATEGORIES, USER_CATEGORIES, MODES, BILLING_RULES, EQUIPMENT_STATUSES } from './domain.js';
import { manageHref, equipmentViewLabels, STATUS_BADGE, EQUIPMENT_STATUS_BADGE } from './equipment.view.js';
import { formValuesOf, NEW_EQUIPMENT_DEFAULTS } from './manage.js';
import { gridTimes } from './time-rules.js';

const labels = { ...equipmentViewLabels, badge: STATUS_BADGE, equipmentBadge: EQUIPMENT_STATUS_BADGE };
const formOptions = { categories: EQUIPMENT_CATEGORIES, userCategories: USER_CATEGORIES, modes: MODES, billingRules: BILLING_RULES, statuses: EQUIPMENT_STATUSES, times: gridTimes('06:00', '23:30') };

/** The node's side: the desk of equipment bookings, and describing instruments with their training and maintenance. */
export function equipmentDeskRoutes(deps: { equipment: EquipmentService }): Router {
  const { equipment } = deps;
  const router = Router();
  const managers = requireAction('equipment.manage');

  router.get('/equipment/desk', requireAction('equipment.operate'), async (req, res) => {
    const data = await equipment.desk.desk(currentUser(req), queryText(req.query.tab, 20));
    res.render('equipment/desk', { title: '仪器共享工作台', ...data, labels });
  });

  router.get('/equipment/manage', requireLogin, async (req, res) => {
    const user = currentUser(req);
    res.render('equipment/manage-list', { title: '共享设备管理', rows: await equipment.manage.list(user), mayCreate: can(user, 'equipment.manage'), labels });
  });

  async function renderForm(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    const user = currentUser(req);
    const nodes = user.role === 'platform_admin' ? await equipment.manage.nodes() : [];
    res.status(status).render('equipment/manage-form', { title: locals.equipmentId ? '修改共享设备' : '新增共享设备', nodes, options: formOptions, labels, errors: {}, ...locals });
  }

  router.get('/equipment/manage/new', managers, (req, res) => renderForm(req, res, 200, { values: NEW_EQUIPMENT_DEFAULTS }));

  router.post(
    '/equipment/manage',
    managers,
    formAction(
      async (req, res) => {
        const id = await equipment.manage.create(currentUser(req), formBody(req));
        flash(req, 'success', '共享设备已新增，可登记培训记录或维护时段。');
        res.redirect(303, manageHref(id));
      },
      (req, res, r: Refusal) => renderForm(req, res, r.status, { values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );

  /** An instrument's page for its node: the description form (managers), its photo, trainings and maintenance. */
  async function renderManaged(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const eq = await equipment.manage.managed(user, idParam(req.params.id));
    const [trainings, blocks] = await Promise.all([equipment.records.trainings(eq.id), equipment.records.blocks(eq.id)]);
    const nodes = user.role === 'platform_admin' ? await equipment.manage.nodes() : [];
    res.status(status).render('equipment/manage', {
      title: eq.name,
      equipment: eq,
      trainings,
      blocks,
      nodes,
      mayEdit: can(user, 'equipment.manage', { nodeId: eq.nodeId }),
      mayOperate: can(user, 'equipment.operate', { nodeId: eq.nodeId }),
      options: formOptions,
      labels,
      values: formValuesOf(eq),
      errors: {},
      forms: {},
      ...extra,
    });
  }

  router.get('/equipment/manage/:id', requireLogin, (req, res) => renderManaged(req, res, 200));

  /** A form of the instrument's page: success → back with a message; refusal → the page with the message at that form. */
  const pageForm = (form: string, run: (req: Request) => Promise<string>) =>
    formAction(
      async (req, res) => {
        const message = await run(req);
        flash(req, 'success', message);
        res.redirect(303, manageHref(idParam(req.params.id)));
      },
      (req, res, r: Refusal) => renderManaged(req, res, r.status, { forms: { [form]: { errors: r.errors, formError: r.formError, values: r.values } }, ...(form === 'edit' ? { values: r.values, errors: r.errors, formError: r.formError } : {}) }),
    );

  router.post('/equipment/manage/:id', managers, pageForm('edit', async (req) => {
    await equipment.manage.update(currentUser(req), idParam(req.params.id), formBody(req));
    return '设备信息已保存。新的收费标准只适用于此后提交的预约。';
  }));

  router.post('/equipment/manage/:id/trainings', requireAction('equipment.operate'), pageForm('training', async (req) => {
    const name = await equipment.records.addTraining(currentUser(req), idParam(req.params.id), formBody(req));
    return `已登记 ${name} 的操作培训记录。`;
  }));

  router.post('/equipment/manage/:id/trainings/:tid/revoke', requireAction('equipment.operate'), pageForm('training', async (req) => {
    await equipment.records.revokeTraining(currentUser(req), idParam(req.params.id), idParam(req.params.tid));
    return '培训记录已撤销。';
  }));

  router.post('/equipment/manage/:id/blocks', requireAction('equipment.operate'), pageForm('block', async (req) => {
    const number = await equipment.records.addBlock(currentUser(req), idParam(req.params.id), formBody(req));
    return `维护时段已登记（${number}），该时段不再接受预约。`;
  }));

  router.post('/equipment/manage/:id/review', requireAction('equipment.review'), pageForm('review', async (req) => {
    const decision = await equipment.offers.review(currentUser(req), idParam(req.params.id), formBody(req));
    return decision === 'approve' ? '已通过审核，设备已公开，提供单位和托管网点已收到通知。' : '已退回，提供单位已收到审核意见。';
  }));

  // ───── instruments companies offer ─────

  async function renderOffer(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    const user = currentUser(req);
    const [offers, nodes] = await Promise.all([equipment.offers.mine(user), equipment.offers.nodes()]);
    res.status(status).render('equipment/offer', { title: '提供设备共享', offers, nodes, options: formOptions, labels, errors: {}, offer: true, ...locals });
  }

  router.get('/equipment/offer', requireAction('equipment.offer'), (req, res) => renderOffer(req, res, 200, { values: { ...NEW_EQUIPMENT_DEFAULTS, modeAssisted: 'on' } }));

  router.post(
    '/equipment/offers',
    requireAction('equipment.offer'),
    formAction(
      async (req, res) => {
        const name = await equipment.offers.offer(currentUser(req), formBody(req));
        flash(req, 'success', `已提交“${name}”，平台审核通过后公开并接受预约。`);
        res.redirect(303, '/equipment/offer');
      },
      (req, res, r: Refusal) => renderOffer(req, res, r.status, { values: r.values, errors: r.errors, formError: r.formError }),
    ),
  );

  router.post(
    '/equipment/manage/:id/photo',
    managers,
    ...multipartForm('/equipment/manage/:id/photo', ['equipment_photo']),
    pageForm('photo', async (req) => {
      if (req.uploadError) throw new ValidationError({ photo: req.uploadError });
      await equipment.manage.setPhoto(currentUser(req), idParam(req.params.id), uploadedFiles(req, ['equipment_photo']));
      return '设备照片已更新。';
    }),
  );

  return router;
}
