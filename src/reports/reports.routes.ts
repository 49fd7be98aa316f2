import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { bookingNumberParam } from '../bookings/booking-number.js';
import { bookingHref } from '../bookings/bookings.view.js';
import type { Store } from 'express-rate-limit';
import { labViewLabels } from '../lab/lab.view.js';
import { NotFoundError } from '../shared/errors.js';
import { currentUser, requireLogin } from '../http/guards.js';
import { queryText } from '../http/params.js';
import type { Logger } from '../shared/logger.js';
import type { ReportsService } from './reports.service.js';
import { reportPage } from './reports.view.js';
import { sendDocument } from '../http/send-document.js';
import { qrSvg } from '../shared/qr.js';

/** Who works a booking on the lab's workbench; everyone else reads it on the booking page (the admins included). */
const LAB_ROLES = new Set(['lab_staff', 'node_manager']);

function versionParam(value: string | string[] | undefined): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,3}$/.test(value)) throw new NotFoundError('该报告不存在。');
  return Number(value);
}

export function reportsRoutes(deps: { reports: ReportsService; rateLimitStore: (prefix: string) => Store; publicUrl: string; logger: Logger; verifyLimit: { limit: number; windowMs: number } }): Router {
  const { reports, rateLimitStore, publicUrl, logger, verifyLimit } = deps;
  const router = Router();

  router.get('/bookings/:no/reports/:version', requireLogin, async (req, res) => {
    const number = bookingNumberParam(req.params.no);
    const view = await reports.view(currentUser(req), number, versionParam(req.params.version));
    const verifyUrl = `${publicUrl}/verify?t=${view.report.verifyToken}`;
    const qrCode = await qrSvg(verifyUrl);
    res.render('reports/report', { title: `${view.report.number} 第 ${view.report.version} 版`, layout: 'print', ...reportPage(view, `${publicUrl}/verify`), qrSvg: qrCode, verifyUrl, publicUrl, labels: labViewLabels, backHref: bookingHref(number, LAB_ROLES.has(currentUser(req).role) ? 'staff' : 'enterprise') });
  });

  router.get('/bookings/:no/reports/:version/pdf', requireLogin, async (req, res) => {
    sendDocument(res, await reports.pdfFile(currentUser(req), bookingNumberParam(req.params.no), versionParam(req.params.version)));
  });

  // Public lookups are limited per address so codes cannot be guessed by brute force.
  const limiter = rateLimit({
    windowMs: verifyLimit.windowMs,
    limit: verifyLimit.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: rateLimitStore('verify'),
    skip: (req) => !req.query.no && !req.query.code && !req.query.t,
    handler: (_req, res) => {
      res.status(429).render('reports/verify', { title: '报告验证', values: {}, outcome: 'limited', result: undefined });
    },
  });

  router.get('/verify', limiter, async (req, res) => {
    const values = { no: queryText(req.query.no, 40) ?? '', code: queryText(req.query.code, 20) ?? '' };
    const token = queryText(req.query.t, 64);
    if (!token && !values.no && !values.code) return res.render('reports/verify', { title: '报告验证', values, outcome: undefined, result: undefined });
    // Half a pair is a form left incomplete, not a report that does not exist: say which field is missing.
    if (!token && (!values.no || !values.code)) {
      const errors = { ...(values.no ? {} : { no: '请填写报告编号或证书编号' }), ...(values.code ? {} : { code: '请填写报告上的 8 位验证码' }) };
      return res.status(422).render('reports/verify', { title: '报告验证', values, outcome: undefined, result: undefined, errors });
    }
    const result = await reports.verify({ number: values.no, code: values.code, token });
    logger.info({ verify: { by: token ? 'token' : 'code', found: !!result, number: result?.number } }, 'report verification lookup');
    // A wrong code and a made-up number give the same answer.
    res.status(result ? 200 : 404).render('reports/verify', { title: '报告验证', values, outcome: result ? 'found' : 'not_found', result });
  });

  return router;
}
