import { Router } from 'express';
import type { AuditService } from '../audit/audit.service.js';
import { AUDIT_ACTIONS } from '../audit/audit.view.js';
import { currentUser, requireAction } from '../http/guards.js';
import { pageParam, queryText } from '../http/params.js';
import { adminViewLabels } from './admin.view.js';

/** The audit log: every change, newest first, by actor, booking, action and dates. */
export function auditRoutes(audit: AuditService): Router {
  const router = Router();

  router.get('/admin/audit', requireAction('audit.read'), async (req, res) => {
    const query = { actor: queryText(req.query.actor, 40), booking: queryText(req.query.booking, 30), action: queryText(req.query.action, 60), from: queryText(req.query.from, 10), to: queryText(req.query.to, 10) };
    const result = await audit.list(currentUser(req), { ...query, page: pageParam(req.query.page) });
    res.render('admin/audit', { title: '审计日志', ...result, actions: AUDIT_ACTIONS, query, labels: adminViewLabels });
  });

  return router;
}
