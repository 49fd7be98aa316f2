import { Router } from 'express';
import { idParam, queryText } from '../http/params.js';
import { NotFoundError } from '../shared/errors.js';
import { TEMPLATE_FILES, type CatalogService, type TemplateFile } from './catalog.service.js';
import { catalogViewLabels, nodePage, serviceGuidePage } from './catalog.view.js';

/** What a service page shows of its fees (from the fees feature, injected by the composition root). */
export type ServicePrices = (service: { code: string; packageCodes: string[] | null }) => Promise<unknown>;

export function catalogRoutes(catalog: CatalogService, deps: { prices: ServicePrices }): Router {
  const router = Router();
  const labels = catalogViewLabels;

  router.get('/', async (_req, res) => {
    const { categories, nodes } = await catalog.home();
    res.render('catalog/home', { title: '首页', categories, nodes, labels });
  });

  router.get('/services', async (req, res) => {
    const filter = { category: queryText(req.query.category, 30), q: queryText(req.query.q) };
    const { categories, services } = await catalog.listServices(filter);
    res.render('catalog/services', { title: '服务目录', categories, services, filter, labels });
  });

  router.get('/services/:code', async (req, res) => {
    const detail = await catalog.serviceDetail(req.params.code.slice(0, 40));
    res.render('catalog/service', serviceGuidePage(detail, await deps.prices(detail.service)));
  });

  // The guide's templates (委托单 DOCX, 器具清单 XLSX), generated for the service.
  router.get('/services/:code/templates/:file', async (req, res) => {
    const file = req.params.file;
    if (!Object.hasOwn(TEMPLATE_FILES, file)) throw new NotFoundError('没有这份模板。');
    const t = await catalog.templateFile(req.params.code.slice(0, 40), file as TemplateFile);
    res.attachment(t.filename).type(t.mimeType).set('Cache-Control', 'public, max-age=300').send(t.body);
  });

  router.get('/nodes', async (_req, res) => {
    res.render('catalog/nodes', { title: '服务网点', nodes: await catalog.listNodes(), labels });
  });

  router.get('/nodes/:id', async (req, res) => {
    res.render('catalog/node', nodePage(await catalog.nodeDetail(idParam(req.params.id))));
  });

  return router;
}
