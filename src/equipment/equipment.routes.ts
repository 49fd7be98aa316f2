import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { bookingNumberParam } from '../bookings/booking-number.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, type Refusal } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { idParam, queryText } from '../http/params.js';
import { asPrincipal } from '../auth/access.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { EquipmentService } from './equipment.service.js';
import { equipmentBookingHref, equipmentViewLabels, STATUS_BADGE, EQUIPMENT_STATUS_BADGE } from './equipment.view.js';
import { isEquipmentAction } from './lifecycle.js';
import { sendDocument } from '../http/send-document.js';

const labels = { ...equipmentViewLabels, badge: STATUS_BADGE, equipmentBadge: EQUIPMENT_STATUS_BADGE };
const newFormKey = () => randomBytes(16).toString('base64url');

/** The public list and page of each instrument, a company's booking, its list, and one booking's page with its actions. */
export function equipmentRoutes(deps: { equipment: EquipmentService }): Router {
  const { equipment } = deps;
  const router = Router();
  const companies = requireAction('equipment.book');

  router.get('/equipment', async (req, res) => {
    const node = queryText(req.query.node, 9);
    const filter = { q: queryText(req.query.q, 40), category: queryText(req.query.category, 20), nodeId: node && /^\d+$/.test(node) ? Number(node) : undefined };
    const data = await equipment.catalog.list(filter);
    res.render('equipment/list', { title: '共享仪器设备', ...data, filter, labels });
  });

  router.get('/equipment/bookings', companies, async (req, res) => {
    res.render('equipment/mine', { title: '我的仪器预约', ...(await equipment.mine(currentUser(req))), labels });
  });

  async function renderBooking(req: Request, res: Response, status: number, number: string, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const booking = await equipment.desk.load(user, number);
    const [timeline] = await Promise.all([equipment.desk.timeline(booking.id)]);
    res.status(status).render('equipment/booking', {
      title: `仪器预约 ${number}`,
      booking,
      timeline,
      actions: equipment.desk.actionsOf(user, booking),
      checkOut: equipment.desk.checkOutDefaults(booking),
      labels,
      ...extra,
    });
  }

  router.get('/equipment/bookings/:no', requireLogin, async (req, res) => {
    await renderBooking(req, res, 200, bookingNumberParam(req.params.no));
  });

  router.post(
    '/equipment/bookings/:no/:action',
    requireLogin,
    formAction(
      async (req, res) => {
        const number = bookingNumberParam(req.params.no);
        const action = String(req.params.action);
        if (!isEquipmentAction(action)) throw new NotFoundError();
        await equipment.desk.act(currentUser(req), number, action, formBody(req));
        flash(req, 'success', `预约 ${number} 已${action === 'check_out' ? '签退并结算' : '更新'}。`);
        res.redirect(303, equipmentBookingHref(number));
      },
      (req, res, r: Refusal) => renderBooking(req, res, r.status, bookingNumberParam(req.params.no), { errors: r.errors, formError: r.firstError, values: r.values, failedAction: String(req.params.action) }),
    ),
  );

  /** One instrument: its description, rates, week and (for a company) the booking form with `values`. */
  async function renderEquipment(req: Request, res: Response, status: number, values: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const user = req.user ? asPrincipal(req.user) : undefined;
    const detail = await equipment.catalog.detail(user, idParam(req.params.id), queryText(req.query.from, 10) ?? (typeof values.date === 'string' ? values.date : undefined));
    res.status(status).render('equipment/detail', { title: detail.equipment.name, ...detail, values, labels, scripts: ['/static/js/equipment-form.js'], ...extra });
  }

  router.get('/equipment/:id', async (req, res) => {
    const user = req.user ? asPrincipal(req.user) : undefined;
    const values: Record<string, unknown> = {
      date: queryText(req.query.date, 10) ?? '',
      startTime: queryText(req.query.start, 5) ?? '',
      endTime: queryText(req.query.end, 5) ?? '',
      mode: queryText(req.query.mode, 10) ?? '',
      idempotencyKey: newFormKey(),
      ...(user ? { contactName: user.name, contactMobile: user.mobile } : {}),
    };
    await renderEquipment(req, res, 200, values);
  });

  router.get('/equipment/:id/photo', async (req, res) => {
    const photo = await equipment.manage.photo(idParam(req.params.id));
    if (!photo) throw new NotFoundError();
    sendDocument(res, photo, 'public, max-age=3600');
  });

  router.post(
    '/equipment/:id/bookings',
    companies,
    formAction(
      async (req, res) => {
        const result = await equipment.book(currentUser(req), idParam(req.params.id), formBody(req));
        const text = result.duplicate ? `该预约已提交过（${result.number}），未重复创建。` : result.status === 'approved' ? `预约已确认，预约号 ${result.number}。请按时到场签到。` : `预约已提交，预约号 ${result.number}，等待网点审批。`;
        flash(req, result.duplicate ? 'info' : 'success', text);
        res.redirect(303, equipmentBookingHref(result.number));
      },
      (req, res, r: Refusal) => {
        const taken = r.error instanceof ConflictError && r.error.code === 'slot_taken';
        const errors = taken ? { startTime: r.formError } : r.errors;
        // The form key was not used by a refused booking: the corrected form is sent with it again.
        const key = typeof r.values.idempotencyKey === 'string' && r.values.idempotencyKey ? r.values.idempotencyKey : newFormKey();
        return renderEquipment(req, res, r.status, { ...r.values, idempotencyKey: key }, { errors, formError: r.formError, nextFree: taken ? (r.error as ConflictError).details.nextFree : undefined });
      },
    ),
  );

  return router;
}
