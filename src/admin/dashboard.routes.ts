import { Router, type Request, type Response } from 'express';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { queryText } from '../http/params.js';
import { NotFoundError } from '../shared/errors.js';
import { toCsv, toXlsx, type Table } from '../stats/export.js';
import type { StatsService } from '../stats/stats.service.js';
import { dashboardPage } from './admin.view.js';
import { figuresHtml } from './figures.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const periodQuery = (req: Request) => ({ period: queryText(req.query.period, 10), from: queryText(req.query.from, 10), to: queryText(req.query.to, 10) });

/** `months.csv` → the table's key and the format; anything else is no such file. */
function exportFile(name: unknown): { key: string; format: 'csv' | 'xlsx' } {
  const match = /^(?<key>[a-z]+)\.(?<format>csv|xlsx)$/.exec(String(name));
  const key = match?.groups?.key;
  const format = match?.groups?.format;
  if (!key || (format !== 'csv' && format !== 'xlsx')) throw new NotFoundError();
  return { key, format };
}

async function sendTable(res: Response, table: Table, format: 'csv' | 'xlsx', name: string, subtitle: string) {
  if (format === 'csv') res.attachment(`${name}.csv`).type('text/csv; charset=utf-8').send(toCsv(table));
  else res.attachment(`${name}.xlsx`).type(XLSX_TYPE).send(await toXlsx(table, subtitle));
}

/** The statistics dashboard of the user's scope, and each of its tables as CSV or Excel. */
export function dashboardRoutes(stats: StatsService): Router {
  const router = Router();
  const readers = requireAction('stats.read');

  router.get(
    '/admin',
    readers,
    formAction(
      async (req, res) => {
        const query = periodQuery(req);
        const dashboard = await stats.dashboard(currentUser(req), query);
        const page = dashboardPage(dashboard, query);
        res.render('admin/dashboard', { ...page, figuresHtml: await figuresHtml(res, dashboard, page) });
      },
      // A refused custom period: this year's figures, the dates as entered, the message at the form.
      async (req, res, r) => {
        const dashboard = await stats.dashboard(currentUser(req), {});
        const page = dashboardPage(dashboard, periodQuery(req), { errors: r.errors, formError: r.formError });
        // The figures (and their export links) are this year's, as shown: never the refused dates.
        res.status(r.status).render('admin/dashboard', { ...page, figuresHtml: await figuresHtml(res, dashboard, { ...page, query: {} }) });
      },
    ),
  );

  router.get('/admin/export/:file', readers, async (req, res) => {
    const { key, format } = exportFile(req.params.file);
    const dashboard = await stats.dashboard(currentUser(req), periodQuery(req));
    const table = dashboard.tables[key];
    if (!table) throw new NotFoundError('没有这张表。');
    await sendTable(res, table, format, `${table.title}_${dashboard.period.from}_${dashboard.period.to}`, `${dashboard.scopeLabel} · ${dashboard.period.label}`);
  });

  return router;
}
