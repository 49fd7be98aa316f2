import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import type { FeesService } from './fees.service.js';

export function feesRoutes(deps: { fees: FeesService }): Router {
  const { fees } = deps;
  const router = Router();

  router.get('/fees', async (_req, res) => {
    res.render('fees/index', { title: '收费标准', ...(await fees.priceList()) });
  });

  async function renderAdmin(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const page = await fees.adminPage(currentUser(req));
    res.status(status).render('fees/admin', { title: '收费标准维护', ...page, errors: {}, values: { effectiveFrom: page.today, targetKind: 'service', priceType: 'estimate' }, ...extra });
  }

  router.get('/admin/fees', requireAction('catalog.manage'), (req, res) => renderAdmin(req, res, 200));

  router.post(
    '/admin/fees',
    requireAction('catalog.manage'),
    formAction(
      async (req, res) => {
        await fees.setPrice(currentUser(req), req.body);
        flash(req, 'success', '新价格已保存；生效前受理的预约仍按原价格估算。');
        res.redirect(303, '/admin/fees');
      },
      (req, res, r) => renderAdmin(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  async function renderInvoiceInfo(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const company = await fees.invoiceInfo(currentUser(req), idParam(req.params.id));
    res.status(status).render('fees/invoice-info', { title: '开票信息', company, values: { invoiceTitle: company.invoiceTitle ?? company.name, invoiceTaxNo: company.invoiceTaxNo ?? company.creditCode, invoiceAddressPhone: company.invoiceAddressPhone ?? '', invoiceBankAccount: company.invoiceBankAccount ?? '' }, errors: {}, ...extra });
  }

  router.get('/enterprises/:id/invoice-info', requireAction('enterprise.read'), (req, res) => renderInvoiceInfo(req, res, 200));

  router.post(
    '/enterprises/:id/invoice-info',
    requireAction('booking.change'),
    formAction(
      async (req, res) => {
        await fees.saveInvoiceInfo(currentUser(req), idParam(req.params.id), req.body);
        flash(req, 'success', '开票信息已保存。');
        res.redirect(303, `/enterprises/${idParam(req.params.id)}/invoice-info`);
      },
      (req, res, r) => renderInvoiceInfo(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  return router;
}
