import { Router } from 'express';
import { currentUser, requireAction } from '../http/guards.js';
import { idParam, pageParam, queryText } from '../http/params.js';
import { formatCell } from '../stats/export.js';
import { NotFoundError } from '../shared/errors.js';
import type { LedgerService } from './ledger.service.js';
import { ledgerLabels } from './ledger.view.js';
import { sendTable } from './ledger.routes.js';

/** /admin/compliance: 强检 compliance of a park's companies (park admin) or the city's (platform), with drill-down and export. */
export function complianceRoutes(deps: { ledger: LedgerService }): Router {
  const { ledger } = deps;
  const router = Router();
  const admins = requireAction('compliance.read');

  router.get('/admin/compliance', admins, async (req, res) => {
    const park = queryText(req.query.park, 9);
    const report = await ledger.compliance(currentUser(req), { park, page: pageParam(req.query.page) });
    res.render('ledger/compliance', { title: '强检器具合规', ...report, query: park ? { park } : {}, formatCell });
  });

  router.get('/admin/compliance/export/:file', admins, async (req, res) => {
    const match = /^(companies|parks)\.(csv|xlsx)$/.exec(String(req.params.file));
    if (!match) throw new NotFoundError('没有这张表。');
    const data = await ledger.complianceExport(currentUser(req), match[1]!, { park: queryText(req.query.park, 9) });
    await sendTable(res, String(req.params.file), data);
  });

  router.get('/admin/compliance/enterprises/:id', admins, async (req, res) => {
    const detail = await ledger.complianceCompany(currentUser(req), idParam(req.params.id));
    res.render('ledger/compliance-company', { title: `${detail.company.name} · 强检器具`, ...detail, labels: ledgerLabels, formatCell });
  });

  return router;
}
