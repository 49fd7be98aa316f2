import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody, switchAction, type Refusal } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import { adminHref, adminViewLabels, serviceFormPage, type FormState } from './admin.view.js';
import type { NetworkService } from './network.service.js';

/** The service catalog: list, new and edit forms, on and offline. */
export function servicesRoutes(network: NetworkService): Router {
  const router = Router();
  const platform = requireAction('catalog.manage');

  async function renderServiceForm(req: Request, res: Response, status: number, id: number | undefined, state: FormState = {}) {
    res.status(status).render('admin/service-form', serviceFormPage(await network.serviceForm(currentUser(req), id), state));
  }

  const refusedForm = (idOf: (req: Request) => number | undefined) => (req: Request, res: Response, r: Refusal) =>
    renderServiceForm(req, res, r.status, idOf(req), { values: r.values, errors: r.errors, formError: r.formError });

  router.get('/admin/services', platform, async (req, res) => {
    res.render('admin/services', { title: '服务目录管理', services: await network.listServices(currentUser(req)), labels: adminViewLabels });
  });

  router.get('/admin/services/new', platform, (req, res) => renderServiceForm(req, res, 200, undefined));
  router.get('/admin/services/:id/edit', platform, (req, res) => renderServiceForm(req, res, 200, idParam(req.params.id)));

  router.post(
    '/admin/services',
    platform,
    formAction(async (req, res) => {
      const service = await network.createService(currentUser(req), formBody(req));
      flash(req, 'success', `已新建服务 ${service.code}。到网点页面为它开通网点并设置名额后即可预约。`);
      res.redirect(303, adminHref.services);
    }, refusedForm(() => undefined)),
  );

  router.post(
    '/admin/services/:id',
    platform,
    formAction(async (req, res) => {
      await network.updateService(currentUser(req), idParam(req.params.id), formBody(req));
      flash(req, 'success', '服务已保存。');
      res.redirect(303, adminHref.services);
    }, refusedForm((req) => idParam(req.params.id))),
  );

  router.post(
    '/admin/services/:id/active',
    platform,
    switchAction(
      (req, on) => network.setServiceActive(currentUser(req), idParam(req.params.id), on),
      { on: '服务已上线。', off: '服务已下线：不再接受新预约，已有预约照常办理。' },
      () => adminHref.services,
    ),
  );

  return router;
}
