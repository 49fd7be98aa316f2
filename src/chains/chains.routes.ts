import { Router, type Request, type Response } from 'express';
import { newIdempotencyKey } from '../bookings/submit.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, refusalAsMessage } from '../http/forms.js';
import { currentUser, requireAction, requireLogin } from '../http/guards.js';
import { idParam, queryText } from '../http/params.js';
import type { ChainsService } from './chains.service.js';
import { CHAIN_STATUS_LABELS, chainsHref, chainStatusBadge, KIND_LABELS, stageBadge } from './chains.view.js';

const labels = { status: CHAIN_STATUS_LABELS, kind: KIND_LABELS, stageBadge, chainStatusBadge, href: chainsHref };

/** A company's requests and the tracker: /chains, /chains/new, /chains/:number. */
function chainPages(chains: ChainsService): Router {
  const router = Router();

  router.get('/chains', requireLogin, async (req, res) => {
    const user = currentUser(req);
    const [list, bundles] = await Promise.all([chains.list(user), user.role === 'enterprise' ? chains.bundles({ activeOnly: true }) : Promise.resolve([])]);
    res.render('chains/list', { title: '一件事联办', list, bundles, labels });
  });

  async function renderNew(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const code = queryText(req.query.bundle, 40) ?? (typeof formBody(req).bundle === 'string' ? (formBody(req).bundle as string) : '');
    const plan = await chains.plan(currentUser(req), code);
    res.status(status).render('chains/new', { title: plan.bundle.name, plan, values: { idempotencyKey: newIdempotencyKey(), contactName: currentUser(req).name, contactMobile: currentUser(req).mobile }, errors: {}, labels, ...extra });
  }

  router.get('/chains/new', requireAction('chain.create'), (req, res) => renderNew(req, res, 200));

  router.post(
    '/chains',
    requireAction('chain.create'),
    formAction(
      async (req, res) => {
        const { number, duplicate } = await chains.file(currentUser(req), formBody(req));
        flash(req, 'success', duplicate ? `该申请已提交过，编号 ${number}。` : `一件事申请已提交，编号 ${number}。各环节的办理进度都在本页。`);
        res.redirect(303, chainsHref.chain(number));
      },
      (req, res, r) => renderNew(req, res, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );

  router.get('/chains/:number', requireLogin, async (req, res) => {
    const view = await chains.track(currentUser(req), String(req.params.number));
    res.render('chains/tracker', { title: `一件事 ${view.chain.number}`, view, labels, values: {}, errors: {} });
  });

  router.post(
    '/chains/:number/rating',
    requireAction('chain.create'),
    formAction(
      async (req, res) => {
        await chains.rate(currentUser(req), String(req.params.number), formBody(req));
        flash(req, 'success', '感谢您的评价。');
        res.redirect(303, chainsHref.chain(String(req.params.number)));
      },
      refusalAsMessage('danger', (req) => chainsHref.chain(String(req.params.number))),
    ),
  );
  return router;
}

/** The platform admin's bundles: /admin/bundles. */
function bundlePages(chains: ChainsService): Router {
  const router = Router();
  const admins = requireAction('bundle.manage');

  router.get('/admin/bundles', admins, async (req, res) => {
    res.render('chains/bundles', { title: '一件事套餐', bundles: await chains.bundles({ activeOnly: false }), labels });
  });

  async function renderForm(req: Request, res: Response, code: string | null, status: number, extra: Record<string, unknown> = {}) {
    const form = await chains.bundleForm(currentUser(req), code);
    res.status(status).render('chains/bundle-form', { title: code ? `修改套餐 ${form.bundle?.name ?? ''}` : '新建一件事套餐', form, values: form.values, errors: {}, labels, ...extra });
  }
  const codeOf = (req: Request) => String(req.params.code);

  router.get('/admin/bundles/new', admins, (req, res) => renderForm(req, res, null, 200));
  router.post(
    '/admin/bundles',
    admins,
    formAction(
      async (req, res) => {
        const { code } = await chains.saveBundle(currentUser(req), null, formBody(req));
        flash(req, 'success', '套餐已创建。');
        res.redirect(303, chainsHref.bundle(code));
      },
      (req, res, r) => renderForm(req, res, null, r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );
  router.get('/admin/bundles/:code', admins, (req, res) => renderForm(req, res, codeOf(req), 200));
  router.post(
    '/admin/bundles/:code',
    admins,
    formAction(
      async (req, res) => {
        const { version } = await chains.saveBundle(currentUser(req), codeOf(req), formBody(req));
        flash(req, 'success', `套餐已更新为第 ${version} 版，新提交的申请按新版办理，已提交的申请不受影响。`);
        res.redirect(303, chainsHref.bundles);
      },
      (req, res, r) => renderForm(req, res, codeOf(req), r.status, { errors: r.errors, formError: r.formError, values: r.values }),
    ),
  );
  router.post(
    '/admin/bundles/:code/active',
    admins,
    formAction(
      async (req, res) => {
        const on = formBody(req).active === '1';
        await chains.setBundleActive(currentUser(req), codeOf(req), on);
        flash(req, 'success', on ? '套餐已恢复受理。' : '套餐已停办：不再受理新申请，已提交的申请照常办理和查看。');
        res.redirect(303, chainsHref.bundles);
      },
      refusalAsMessage('danger', () => chainsHref.bundles),
    ),
  );
  return router;
}

/** The coordinator's board: /coordinator/chains; the platform admin grants the duty at /admin/coordinators. */
function coordinatorPages(chains: ChainsService): Router {
  const router = Router();
  router.get('/admin/coordinators', requireAction('user.manage'), async (req, res) => {
    res.render('chains/coordinators', { title: '协调人', people: await chains.coordinators(currentUser(req)), labels });
  });
  router.post(
    '/admin/coordinators/:id',
    requireAction('user.manage'),
    formAction(
      async (req, res) => {
        const on = formBody(req).active === '1';
        await chains.setCoordinator(currentUser(req), idParam(req.params.id), on);
        flash(req, 'success', on ? '已授予协调人职责。' : '已撤销协调人职责。');
        res.redirect(303, '/admin/coordinators');
      },
      refusalAsMessage('danger', () => '/admin/coordinators'),
    ),
  );
  router.get('/coordinator/chains', requireLogin, async (req, res) => {
    res.render('chains/coordinator', { title: '一件事协调', board: await chains.board(currentUser(req)), labels });
  });
  router.post(
    '/coordinator/chains/steps/:id/reroute',
    requireLogin,
    formAction(
      async (req, res) => {
        const { chainNumber, booking } = await chains.reroute(currentUser(req), idParam(req.params.id), formBody(req));
        flash(req, 'success', booking ? `已改派，新预约 ${booking}。` : '已改派，前序完成后将在新网点安排。');
        res.redirect(303, chainsHref.chain(chainNumber));
      },
      refusalAsMessage('danger', () => chainsHref.coordinator),
    ),
  );
  return router;
}

export function chainsRoutes(deps: { chains: ChainsService }): Router {
  const router = Router();
  router.use(bundlePages(deps.chains));
  router.use(coordinatorPages(deps.chains));
  router.use(chainPages(deps.chains));
  return router;
}
