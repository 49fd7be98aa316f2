import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction, formBody, type Refusal } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, queryText } from '../http/params.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { formatCell, toCsv, toXlsx } from '../stats/export.js';
import { PERIOD_PRESETS } from '../stats/stats.view.js';
import type { EquipmentService } from './equipment.service.js';
import { equipmentViewLabels, statementHref } from './equipment.view.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CHARTS = ['/vendor/echarts/echarts.min.js', '/static/js/dashboard.js'];

/** Money and figures: monthly statements per company, the utilisation dashboard, and the platform's rules. */
export function equipmentReportsRoutes(deps: { equipment: EquipmentService }): Router {
  const { equipment } = deps;
  const { statements, platform } = equipment;
  const router = Router();
  const readers = requireAction('equipment.read');
  const rules = requireAction('equipment.rules');

  router.get('/equipment/statements', readers, async (req, res) => {
    const months = statements.months();
    const asked = queryText(req.query.month, 7);
    const month = asked && months.includes(asked) ? asked : months[0]!;
    const user = currentUser(req);
    const companies = await statements.companies(user, month);
    if (user.role === 'enterprise') return res.redirect(statementHref(user.enterpriseId, month));
    res.render('equipment/statements', { title: '仪器使用结算单', months, month, companies, labels: equipmentViewLabels });
  });

  router.get('/equipment/statements/:company/:month', readers, async (req, res) => {
    const data = await statements.statement(currentUser(req), idParam(req.params.company), String(req.params.month));
    res.render('equipment/statement', { title: `结算单 ${data.company.name} ${data.month}`, layout: 'print', ...data, months: statements.months(), labels: equipmentViewLabels, backHref: '/equipment/statements' });
  });

  router.get('/equipment/statements/:company/:month/xlsx', readers, async (req, res) => {
    const data = await statements.statement(currentUser(req), idParam(req.params.company), String(req.params.month));
    const body = await toXlsx(data.table, `${data.company.name}（${data.company.creditCode}）· ${data.month}${data.node ? ` · ${data.node.name}` : ''} · 合计 ${(data.totals.amountCents / 100).toFixed(2)} 元`);
    res.attachment(`共享仪器结算单_${data.month}_${data.company.name}.xlsx`).type(XLSX).set('Cache-Control', 'private, no-store').send(body);
  });

  const periodQuery = (req: Request) => ({ period: queryText(req.query.period, 10), from: queryText(req.query.from, 10), to: queryText(req.query.to, 10) });

  router.get('/equipment/stats', requireAction('stats.read'), async (req, res) => {
    const user = currentUser(req);
    const query = periodQuery(req);
    const locals = { title: '仪器共享统计', presets: PERIOD_PRESETS, query, formatCell, labels: equipmentViewLabels, scripts: CHARTS };
    try {
      res.render('equipment/stats', { ...locals, ...(await statements.dashboard(user, query)) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(422).render('equipment/stats', { ...locals, ...(await statements.dashboard(user, {})), errors: err.fieldErrors, formError: err.message });
    }
  });

  router.get('/equipment/stats/export/:file', requireAction('stats.read'), async (req, res) => {
    const match = /^([a-z]+)\.(csv|xlsx)$/.exec(String(req.params.file));
    if (!match) throw new NotFoundError();
    const data = await statements.dashboard(currentUser(req), periodQuery(req));
    const table = data.tables[match[1]!];
    if (!table) throw new NotFoundError('没有这张表。');
    const name = `${table.title}_${data.period.from}_${data.period.to}`;
    if (match[2] === 'csv') res.attachment(`${name}.csv`).type('text/csv; charset=utf-8').send(toCsv(table));
    else res.attachment(`${name}.xlsx`).type(XLSX).send(await toXlsx(table, `${data.scopeLabel} · ${data.period.label}`));
  });

  async function renderRules(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const data = await platform.page(currentUser(req));
    res.status(status).render('equipment/rules', { title: '开放共享规则', ...data, values: { noShowLimit: data.rules.noShowLimit, windowDays: data.rules.windowDays, suspensionDays: data.rules.suspensionDays }, errors: {}, forms: {}, labels: equipmentViewLabels, ...extra });
  }

  router.get('/equipment/rules', rules, (req, res) => renderRules(req, res, 200));

  /** A form of the rules page: done → back with a message; refused → the page with the message at that form. */
  const rulesForm = (form: string, run: (req: Request) => Promise<string>) =>
    formAction(
      async (req, res) => {
        flash(req, 'success', await run(req));
        res.redirect(303, '/equipment/rules');
      },
      (req, res, r: Refusal) => renderRules(req, res, r.status, { forms: { [form]: { errors: r.errors, formError: r.formError, values: r.values } }, ...(form === 'rules' ? { values: r.values, errors: r.errors } : {}) }),
    );

  router.post('/equipment/rules', rules, rulesForm('rules', async (req) => {
    await platform.saveRules(currentUser(req), formBody(req));
    return '爽约规则已保存，自下一次爽约记录起按新规则判断。';
  }));
  router.post('/equipment/suspensions/:id/lift', rules, rulesForm('lift', async (req) => {
    await platform.lift(currentUser(req), idParam(req.params.id), formBody(req));
    return '已解除暂停，并已通知该单位。';
  }));
  router.post('/equipment/institutes', rules, rulesForm('institute', async (req) => `已将 ${await platform.setInstitute(currentUser(req), formBody(req), true)} 认定为科研院所。`));
  router.post('/equipment/institutes/remove', rules, rulesForm('institute', async (req) => `已取消 ${await platform.setInstitute(currentUser(req), formBody(req), false)} 的科研院所认定。`));

  return router;
}
