import { Router, type Request, type Response } from 'express';
import { bookingHref } from '../bookings/bookings.view.js';
import { newIdempotencyKey } from '../bookings/bookings.service.js';
import { describeWindow } from '../capacity/availability.js';
import { DELIVERY_MODE_LABELS } from '../catalog/catalog.view.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, keptValues } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import type { LedgerService } from './ledger.service.js';
import { ledgerLabels } from './ledger.view.js';
import { idsOf } from './one-click-submit.js';

const BOOK = '/instruments/book';

/** Node choices on the proposal: query keys "node-<service code>" → node id. */
function nodeChoices(query: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(query)
      .filter(([k, v]) => k.startsWith('node-') && typeof v === 'string' && /^[1-9]\d{0,8}$/.test(v))
      .map(([k, v]) => [k.slice(5), Number(v)]),
  );
}

/** /instruments/book: 一键预约 — the proposal (GET, node per service can be changed) and its confirmation (POST, all or nothing). */
export function bookingRoutes(deps: { ledger: LedgerService }): Router {
  const { ledger } = deps;
  const router = Router();
  const company = requireAction('ledger.manage');

  async function render(req: Request, res: Response, status: number, source: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const ids = idsOf(source.ids);
    const model = await ledger.proposal(user, { ids, nodes: nodeChoices(source) });
    const values = keptValues(source);
    // Each service's booking carries its own idempotency key, so submitting the page twice books once.
    for (const g of model.groups) if (typeof values[`key-${g.service.code}`] !== 'string') values[`key-${g.service.code}`] = newIdempotencyKey();
    values.contactName ??= user.name;
    values.contactMobile ??= user.mobile;
    values.onsiteAddress ??= model.onsiteAddress;
    res.status(status).render('ledger/book', { title: '一键预约', ...model, ids, values, errors: {}, labels: { ...ledgerLabels, deliveryModes: DELIVERY_MODE_LABELS }, describeWindow, scripts: ['/static/js/ledger.js'], ...extra });
  }

  router.get(BOOK, company, (req, res) => render(req, res, 200, req.query as Record<string, unknown>));

  router.post(
    BOOK,
    company,
    formAction(
      async (req, res) => {
        const { numbers, duplicate } = await ledger.book(currentUser(req), formBody(req));
        const links = numbers.map((n) => ({ href: bookingHref(n), text: n }));
        flash(req, duplicate ? 'info' : 'success', duplicate ? `这些预约已提交过，没有重复创建：` : `已提交 ${numbers.length} 个预约，受理后会通知您：`, links);
        res.redirect(303, numbers.length === 1 ? bookingHref(numbers[0]!) : '/bookings');
      },
      (req, res, r) => render(req, res, r.status, formBody(req), { errors: r.errors, formError: r.formError }),
    ),
  );

  return router;
}
