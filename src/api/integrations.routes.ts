import { Router, type NextFunction, type Request, type Response } from 'express';
import { ForbiddenError } from '../shared/errors.js';
import { flash } from '../http/flash.js';
import { formAction, type Refusal } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam } from '../http/params.js';
import { integrationBase, integrationLabels } from './api.view.js';
import { MAX_LIVE_KEYS, ownerOf, type KeysService } from './keys.service.js';
import type { WebhooksService } from './webhooks.service.js';

/**
 * The integration pages: API keys and webhooks of a company (/company/api-keys — its company admins only;
 * until then every user of the company), of a node (/lab/api-keys, its manager) and of the platform (/admin/api-keys,
 * keys only). Secrets are shown once, on the page right after creating them.
 */
export function integrationsRoutes(deps: { keys: KeysService; webhooks: WebhooksService; publicUrl: string }): Router {
  const router = Router();
  const manage = requireAction('integration.manage');

  /** Each role at its own address only (another role's address: 403). */
  const at = (base: string) => [
    manage,
    (req: Request, _res: Response, next: NextFunction) => next(integrationBase(currentUser(req)) === base ? undefined : new ForbiddenError()),
  ];

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const user = currentUser(req);
    const owner = ownerOf(user);
    const base = integrationBase(user);
    const [keys, hooks] = await Promise.all([deps.keys.list(user), owner.ownerType === 'platform' ? undefined : deps.webhooks.page(user)]);
    res.status(status).render('api/keys', {
      title: '开放接口',
      base,
      keys,
      maxLiveKeys: MAX_LIVE_KEYS,
      hooks,
      docsUrl: '/api/docs',
      apiUrl: `${deps.publicUrl}/api/v1`,
      labels: integrationLabels(owner.ownerType),
      errors: {},
      values: {},
      ...extra,
    });
  }
  const rerender = (form: string) => (req: Request, res: Response, r: Refusal) => render(req, res, r.status, { errors: r.errors, values: r.values, formError: r.formError, refusedForm: form });

  for (const base of ['/company', '/lab', '/admin'] as const) {
    router.get(`${base}/api-keys`, ...at(base), (req, res) => render(req, res, 200));
    router.post(
      `${base}/api-keys`,
      ...at(base),
      formAction(async (req, res) => {
        const created = await deps.keys.create(currentUser(req), req.body);
        await render(req, res, 201, { createdKey: created });
      }, rerender('key')),
    );
    router.post(
      `${base}/api-keys/:id/revoke`,
      ...at(base),
      formAction(async (req, res) => {
        await deps.keys.revoke(currentUser(req), idParam(req.params.id));
        flash(req, 'success', '密钥已停用，使用它的请求将被拒绝。');
        res.redirect(303, `${base}/api-keys`);
      }, rerender('revoke')),
    );
    if (base === '/admin') continue;
    router.post(
      `${base}/webhooks`,
      ...at(base),
      formAction(async (req, res) => {
        const created = await deps.webhooks.create(currentUser(req), req.body);
        await render(req, res, 201, { createdHook: created });
      }, rerender('hook')),
    );
    router.post(
      `${base}/webhooks/:id/remove`,
      ...at(base),
      formAction(async (req, res) => {
        await deps.webhooks.remove(currentUser(req), idParam(req.params.id));
        flash(req, 'success', '已停用该推送订阅。');
        res.redirect(303, `${base}/api-keys`);
      }, rerender('hook')),
    );
    router.post(
      `${base}/webhooks/:id/ping`,
      ...at(base),
      formAction(async (req, res) => {
        const { status, error } = await deps.webhooks.ping(currentUser(req), idParam(req.params.id));
        flash(req, error ? 'danger' : 'success', error ? `测试推送失败：${error}` : `测试推送成功，接收方返回 HTTP ${status}。`);
        res.redirect(303, `${base}/api-keys`);
      }, rerender('hook')),
    );
    router.post(
      `${base}/webhooks/deliveries/:id/redeliver`,
      ...at(base),
      formAction(async (req, res) => {
        await deps.webhooks.redeliver(currentUser(req), idParam(req.params.id));
        flash(req, 'success', '已重新加入推送队列。');
        res.redirect(303, `${base}/api-keys`);
      }, rerender('hook')),
    );
  }
  return router;
}
