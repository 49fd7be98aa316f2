import { Router, type Request, type Response } from 'express';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { flash } from '../http/flash.js';
import { formAction, formBody, type Refusal } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import { toCsv, toXlsx } from '../stats/export.js';
import type { LedgerService } from './ledger.service.js';
import type { LedgerQuery } from './listing.js';
import { instrumentHref, LEDGER_PATH, ledgerLabels } from './ledger.view.js';
import { bookingRoutes } from './booking.routes.js';
import { settingsRoutes } from './settings.routes.js';
import { importRoutes } from './import.routes.js';

const SCRIPTS = ['/static/js/ledger.js'];

export function listQuery(req: Request): LedgerQuery {
  return {
    q: queryText(req.query.q, 40),
    due: queryText(req.query.due, 10),
    compulsory: queryText(req.query.compulsory, 3),
    status: queryText(req.query.status, 10),
    department: queryText(req.query.department, 40),
    category: queryText(req.query.category, 40),
    sort: queryText(req.query.sort, 12),
    page: pageParam(req.query.page),
  };
}

/** Sends a table as CSV or XLSX by the requested file name ("instruments.csv"); anything else is 404. */
export async function sendTable(res: Response, file: string, data: { table: Parameters<typeof toCsv>[0]; subtitle: string; fileName: string }) {
  const name = data.fileName;
  if (file.endsWith('.csv')) return res.attachment(`${name}.csv`).type('text/csv; charset=utf-8').send(toCsv(data.table));
  res.attachment(`${name}.xlsx`).type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(data.table, data.subtitle));
}

/** /instruments: the company's ledger — list, export, one entry, its form. Import, one-click booking and settings are their own routers. */
export function ledgerRoutes(deps: { ledger: LedgerService }): Router {
  const { ledger } = deps;
  const router = Router();
  const company = requireAction('ledger.manage');

  router.get(LEDGER_PATH, company, async (req, res) => {
    const query = listQuery(req);
    const { page: _page, ...filter } = query;
    res.render('ledger/list', { title: '计量器具台账', ...(await ledger.page(currentUser(req), query)), filter, labels: ledgerLabels, scripts: SCRIPTS });
  });

  router.get('/instruments/export/:file', company, async (req, res) => {
    const file = String(req.params.file);
    if (!/^instruments\.(csv|xlsx)$/.test(file)) throw new NotFoundError('没有这个文件。');
    const data = await ledger.exportTable(currentUser(req), listQuery(req));
    await sendTable(res, file, data);
  });

  async function renderForm(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    res.status(status).render('ledger/form', { title: locals.instrumentId ? '修改器具信息' : '登记计量器具', categories: await ledger.categories(), labels: ledgerLabels, errors: {}, scripts: SCRIPTS, ...locals });
  }

  /** A refused entry form: 422 with the messages at the fields, 409 for a duplicate (with the existing entry's link). */
  const refusedForm = (instrumentId?: number) => async (req: Request, res: Response, r: Refusal) => {
    const duplicate = r.error instanceof ConflictError && r.error.code === 'duplicate_instrument' ? (r.error.details.href as string) : undefined;
    if (r.error instanceof ConflictError && !duplicate) throw r.error;
    await renderForm(req, res, r.status, { instrumentId, values: r.values, errors: duplicate ? { serialNo: r.formError } : r.errors, formError: r.formError, duplicateHref: duplicate });
  };

  router.get('/instruments/new', company, (req, res) => renderForm(req, res, 200, { values: { status: 'in_use', compulsory: 'no', regime: 'periodic', categoryCode: queryText(req.query.category, 40) ?? '' } }));

  router.post(
    LEDGER_PATH,
    company,
    formAction(async (req, res) => {
      const id = await ledger.create(currentUser(req), formBody(req));
      flash(req, 'success', '器具已登记到台账。');
      res.redirect(303, instrumentHref(id));
    }, refusedForm()),
  );

  router.get('/instruments/:id', company, async (req, res) => {
    const detail = await ledger.detail(currentUser(req), idParam(req.params.id));
    res.render('ledger/detail', { title: `${detail.instrument.name}（${detail.instrument.serialNo}）`, ...detail, labels: ledgerLabels });
  });

  router.get('/instruments/:id/edit', company, async (req, res) => {
    const id = idParam(req.params.id);
    await renderForm(req, res, 200, { instrumentId: id, values: await ledger.editValues(currentUser(req), id) });
  });

  router.post(
    '/instruments/:id',
    company,
    formAction(async (req, res) => {
      const id = idParam(req.params.id);
      await ledger.update(currentUser(req), id, formBody(req));
      flash(req, 'success', '器具信息已保存。');
      res.redirect(303, instrumentHref(id));
    }, (req, res, r) => refusedForm(idParam(req.params.id))(req, res, r)),
  );

  router.post('/instruments/:id/delete', company, async (req, res) => {
    const name = await ledger.remove(currentUser(req), idParam(req.params.id));
    flash(req, 'success', `已从台账删除 ${name}。删除记录保留在操作日志中。`);
    res.redirect(303, LEDGER_PATH);
  });

  return router;
}

/** Every router of the company's ledger, specific paths before /instruments/:id. */
export function ledgerRouters(deps: { ledger: LedgerService }): Router[] {
  return [importRoutes(deps), bookingRoutes(deps), settingsRoutes(deps), ledgerRoutes(deps)];
}
