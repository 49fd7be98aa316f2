import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import type { Outbox } from './outbox.service.js';
import { describeMessage, OUTBOX_KIND_LABELS, OUTBOX_STATUS_LABELS } from './outbox.view.js';

const PATH = '/admin/outbox';

/** /admin/outbox: what the platform sent and failed to send (e-mail, webhooks), and a retry for what was given up on. */
export function outboxRoutes(deps: { outbox: Outbox }): Router {
  const router = Router();
  const admin = requireAction('outbox.manage');

  async function render(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const model = await deps.outbox.page(currentUser(req), { status: queryText(req.query.status, 10), page: pageParam(req.query.page) });
    res.status(status).render('outbox/index', { title: '外发消息', ...model, describe: describeMessage, labels: { status: OUTBOX_STATUS_LABELS, kinds: OUTBOX_KIND_LABELS }, ...extra });
  }

  router.get(PATH, admin, (req, res) => render(req, res, 200));

  router.post(
    `${PATH}/:id/retry`,
    admin,
    formAction(
      async (req, res) => {
        await deps.outbox.retry(currentUser(req), idParam(req.params.id));
        flash(req, 'success', '已重新加入发送队列，稍后自动发送。');
        res.redirect(303, PATH);
      },
      (req, res, r) => render(req, res, r.status, { formError: r.formError }),
    ),
  );

  return router;
}
