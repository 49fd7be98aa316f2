import { Router, type Request, type Response } from 'express';
import { flash } from '../http/flash.js';
import { formAction } from '../http/forms.js';
import { currentUser, requireAction } from '../http/guards.js';
import { multipartForm, uploadedFiles } from '../http/multipart.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { LedgerService } from './ledger.service.js';
import { importPreviewHref, LEDGER_PATH, ledgerLabels } from './ledger.view.js';
import { MAX_IMPORT_ROWS } from './workbook.js';

const IMPORT_PURPOSES = ['instrument_list'] as const;

const tokenParam = (value: string | string[] | undefined): string => {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{16,40}$/.test(value)) throw new NotFoundError('该导入预览不存在或已过期，请重新上传。');
  return value;
};

/** /instruments/template.xlsx and /instruments/import: template, upload → preview → import (all valid rows or none). */
export function importRoutes(deps: { ledger: LedgerService }): Router {
  const { ledger } = deps;
  const router = Router();
  const company = requireAction('ledger.manage');

  router.get('/instruments/template.xlsx', company, async (req, res) => {
    const body = await ledger.template(currentUser(req));
    res.attachment('计量器具台账导入模板.xlsx').type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').set('Cache-Control', 'private, no-store').send(body);
  });

  async function renderUpload(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    res.status(status).render('ledger/import', { title: '导入台账', pending: await ledger.pendingImports(currentUser(req)), maxRows: MAX_IMPORT_ROWS, errors: {}, ...extra });
  }

  router.get('/instruments/import', company, (req, res) => renderUpload(req, res, 200));

  router.post(
    '/instruments/import',
    company,
    ...multipartForm('/instruments/import', IMPORT_PURPOSES),
    formAction(
      async (req, res) => {
        if (req.uploadError) throw new ValidationError({ file: req.uploadError });
        const token = await ledger.previewImport(currentUser(req), uploadedFiles(req, IMPORT_PURPOSES));
        res.redirect(303, importPreviewHref(token));
      },
      (req, res, r) => renderUpload(req, res, r.status, { errors: r.errors, formError: r.firstError }),
    ),
  );

  async function renderPreview(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    const token = tokenParam(req.params.token);
    res.status(status).render('ledger/preview', { title: '导入预览', token, ...(await ledger.importPreview(currentUser(req), token)), labels: ledgerLabels, ...extra });
  }

  router.get('/instruments/import/:token', company, (req, res) => renderPreview(req, res, 200));

  router.post(
    '/instruments/import/:token',
    company,
    formAction(
      async (req, res) => {
        const count = await ledger.confirmImport(currentUser(req), tokenParam(req.params.token));
        flash(req, 'success', `已导入 ${count} 台器具。`);
        res.redirect(303, LEDGER_PATH);
      },
      (req, res, r) => renderPreview(req, res, r.status, { formError: r.formError }),
    ),
  );

  return router;
}
