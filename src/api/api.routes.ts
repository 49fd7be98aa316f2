import { bookingNumberParam } from '../bookings/booking-number.js';
import { rejectDeepJson, rejectNulInput } from '../http/input-guard.js';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { LAB_API_ACTIONS, type ApiService, type LabApiAction } from './api.service.js';
import type { ApiCaller, KeysService } from './keys.service.js';
import { requestFingerprint } from './idempotency.js';
import { PayloadTooLargeError, problemHandler, sendProblem, UnauthorizedError, UnsupportedMediaTypeError } from './problem.js';
import { filesOfField, memoryParser, multipartRefusal } from '../http/multipart.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { ApiScope } from './scopes.js';
import type { ReportsService } from '../reports/reports.service.js';
import { sendDocument } from '../http/send-document.js';

export interface ApiRouteDeps {
  api: ApiService;
  keys: KeysService;
  reports: ReportsService;
  openapi: () => object;
  rateLimitStore: (prefix: string) => Store;
  logger: Logger;
}

type Handler = (req: Request, res: Response, caller: ApiCaller) => Promise<void>;

const callerOf = (res: Response) => res.locals.apiCaller as ApiCaller;
const q = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/** A handler that needs one of the scopes; errors go to the problem handler. */
function scoped(scopes: ApiScope[], handler: Handler): RequestHandler {
  return (req, res, next) => {
    const caller = callerOf(res);
    if (!scopes.some((s) => caller.scopes.includes(s))) return next(new ForbiddenError(`此密钥没有所需的权限范围（${scopes.join(' 或 ')}）。`));
    handler(req, res, caller).catch(next);
  };
}
const ANY: ApiScope[] = ['read', 'book', 'lab'];

/** GET answers carry a strong ETag; a matching If-None-Match gets 304 (express compares them: req.fresh). */
function sendJson(req: Request, res: Response, body: unknown, status = 200): void {
  res.status(status).json(body);
}

/** The open API: JSON under /api/v1 with bearer keys, no session and no CSRF (nothing here reads a cookie). */
export function apiRoutes(deps: ApiRouteDeps): Router {
  const { api } = deps;
  const router = Router();
  router.get('/api/v1/openapi.json', (_req, res) => void res.json(deps.openapi()));
  router.get('/api/docs', (_req, res) => res.render('api/docs', { title: '开放接口文档' }));

  // Full paths on one router (not a nested mount), so the route table lists /api/v1/… as the app answers it.
  const V1 = '/api/v1';
  router.use(V1, authenticate(deps.keys));
  router.use(
    V1,
    rateLimit({
      windowMs: 60_000,
      limit: (_req, res) => callerOf(res).rateLimit,
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      store: deps.rateLimitStore('api'),
      keyGenerator: (_req, res) => `k${callerOf(res).keyId}`,
      handler: (_req, res) => sendProblem(res, { type: 'https://nqi.zhoushan.gov.cn/api/problems/rate-limited', title: '请求过于频繁', status: 429, detail: '此密钥每分钟的请求次数已用完，请稍后重试。' }),
    }),
  );

  // After the key and its rate limit (no body is read for an unknown caller). Up to 5 attachments of 10 MB each may come Base64-encoded in a booking (the forms' limits).
  router.use(V1, express.json({ limit: '70mb' }));
  // NUL in a path, query or body never reaches the database (PostgreSQL cannot hold it in text): 400 as on the web.
  router.use(V1, rejectNulInput);
  router.use(V1, rejectDeepJson);

  router.get(`${V1}/services`, scoped(ANY, async (req, res) => sendJson(req, res, { data: await api.services() })));
  router.get(`${V1}/nodes`, scoped(ANY, async (req, res) => sendJson(req, res, { data: await api.nodes() })));
  router.get(`${V1}/availability`, scoped(ANY, async (req, res) => sendJson(req, res, { data: await api.availability({ service: q(req, 'service'), node: q(req, 'node'), from: q(req, 'from'), to: q(req, 'to') }) })));
  router.get(`${V1}/verify`, scoped(ANY, async (req, res) => sendJson(req, res, await api.verify({ number: q(req, 'number'), code: q(req, 'code') }))));

  router.get(`${V1}/bookings`, scoped(ANY, async (req, res, c) => sendJson(req, res, await api.listBookings(c.principal, { cursor: q(req, 'cursor'), limit: q(req, 'limit'), status: q(req, 'status'), service: q(req, 'service'), from: q(req, 'from'), to: q(req, 'to') }))));
  router.post(
    `${V1}/bookings`,
    scoped(['book'], async (req, res, c) => {
      const key = req.get('Idempotency-Key') ?? '';
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(key)) throw new ValidationError({ 'Idempotency-Key': '请在请求头 Idempotency-Key 中提供 16 至 64 位的字母、数字、下划线或连字符' });
      const result = await api.create(c.principal, req.body, key, requestFingerprint(req.method, req.path, req.body));
      res.location(`/api/v1/bookings/${result.number}`);
      sendJson(req, res, result, result.duplicate ? 200 : 201);
    }),
  );
  router.get(`${V1}/bookings/:number`, scoped(ANY, async (req, res, c) => sendJson(req, res, await api.booking(c.principal, bookingNumberParam(req.params.number)))));
  router.post(
    `${V1}/bookings/:number/cancel`,
    scoped(['book'], async (req, res, c) => {
      await deps.api.cancel(c.principal, bookingNumberParam(req.params.number), req.body);
      sendJson(req, res, await api.booking(c.principal, bookingNumberParam(req.params.number)));
    }),
  );
  router.post(
    `${V1}/bookings/:number/reschedule`,
    scoped(['book'], async (req, res, c) => {
      await deps.api.reschedule(c.principal, bookingNumberParam(req.params.number), req.body);
      sendJson(req, res, await api.booking(c.principal, bookingNumberParam(req.params.number)));
    }),
  );
  router.get(`${V1}/bookings/:number/reports`, scoped(ANY, async (req, res, c) => sendJson(req, res, { data: (await api.booking(c.principal, bookingNumberParam(req.params.number))).reports })));
  router.get(`${V1}/bookings/:number/reports/:version`, scoped(ANY, async (req, res, c) => sendJson(req, res, await api.report(c.principal, bookingNumberParam(req.params.number), versionOf(req)))));
  router.get(
    `${V1}/bookings/:number/reports/:version/pdf`,
    scoped(ANY, async (req, res, c) => {
      sendDocument(res, await deps.reports.pdfFile(c.principal, bookingNumberParam(req.params.number), versionOf(req)));
    }),
  );

  router.get(`${V1}/instruments`, scoped(ANY, async (req, res, c) => sendJson(req, res, await api.instruments(c.principal, { cursor: q(req, 'cursor'), limit: q(req, 'limit') }))));
  router.post(
    `${V1}/instruments/imports`,
    scoped(['book'], async (req, res, c) => {
      const token = req.is('multipart/form-data') ? await api.previewImportFile(c.principal, await importUpload(req, res)) : req.is('application/json') ? await api.previewImportRows(c.principal, req.body) : unsupported();
      res.location(`${V1}/instruments/imports/${token}`);
      sendJson(req, res, await api.importPreview(c.principal, token), 201);
    }),
  );
  router.get(`${V1}/instruments/imports/:token`, scoped(['book'], async (req, res, c) => sendJson(req, res, await api.importPreview(c.principal, tokenOf(req)))));
  router.post(`${V1}/instruments/imports/:token/confirm`, scoped(['book'], async (req, res, c) => sendJson(req, res, await api.confirmImport(c.principal, tokenOf(req)))));
  router.get(`${V1}/instruments/:id`, scoped(ANY, async (req, res, c) => sendJson(req, res, await api.instrument(c.principal, idOf(req)))));
  router.post(
    `${V1}/instruments`,
    scoped(['book'], async (req, res, c) => {
      const id = await api.createInstrument(c.principal, req.body);
      res.location(`/api/v1/instruments/${id}`);
      sendJson(req, res, await api.instrument(c.principal, id), 201);
    }),
  );
  router.put(
    `${V1}/instruments/:id`,
    scoped(['book'], async (req, res, c) => {
      await api.updateInstrument(c.principal, idOf(req), req.body);
      sendJson(req, res, await api.instrument(c.principal, idOf(req)));
    }),
  );
  router.get(`${V1}/lab/queue`, scoped(['lab'], async (req, res, c) => sendJson(req, res, await api.listBookings(c.principal, { cursor: q(req, 'cursor'), limit: q(req, 'limit'), status: q(req, 'status') ?? 'submitted,accepted,received,in_progress', service: q(req, 'service'), from: q(req, 'from'), to: q(req, 'to') }))));
  router.get(`${V1}/lab/standards`, scoped(['lab'], async (req, res, c) => sendJson(req, res, { data: await api.labStandards(c.principal) })));
  router.post(
    `${V1}/lab/bookings/:number/:action`,
    scoped(['lab'], async (req, res, c) => {
      const action = String(req.params.action);
      if (!(LAB_API_ACTIONS as readonly string[]).includes(action)) throw new NotFoundError('开放接口不提供此操作：审核、签发在平台网页上由人完成。');
      await api.labAction(c.principal, bookingNumberParam(req.params.number), action as LabApiAction, req.body);
      sendJson(req, res, await api.booking(c.principal, bookingNumberParam(req.params.number)));
    }),
  );

  router.use('/api', (_req, _res, next) => next(new NotFoundError('没有这个接口。')));
  router.use('/api', problemHandler(deps.logger));
  return router;
}

function idOf(req: Request): number {
  const v = String(req.params.id);
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new NotFoundError('该器具不存在。');
  return Number(v);
}

const parseImportFile = memoryParser(['file']);

/** The XLSX of an import (multipart field `file`), parsed in memory with the web upload's limits: over 10 MB → 413. */
function importUpload(req: Request, res: Response): Promise<UploadedFile[]> {
  return new Promise((resolve, reject) =>
    parseImportFile(req, res, (err?: unknown) => {
      if (!err) return resolve(filesOfField(req, 'file', 'instrument_list'));
      const refusal = multipartRefusal(err);
      reject(refusal.code === 'LIMIT_FILE_SIZE' ? new PayloadTooLargeError('文件超过 10 MB。一次最多导入 5000 行，请分成几个文件分别导入。') : new ValidationError({ file: refusal.message }));
    }),
  );
}

function unsupported(): never {
  throw new UnsupportedMediaTypeError('请以 multipart/form-data 上传导入模板的 Excel（.xlsx）文件（字段 file），或以 application/json 提交 rows。');
}

function tokenOf(req: Request): string {
  const v = String(req.params.token);
  if (!/^[A-Za-z0-9_-]{16,40}$/.test(v)) throw new NotFoundError('该导入预览不存在或已过期，请重新上传。');
  return v;
}

function versionOf(req: Request): number {
  const v = String(req.params.version);
  if (!/^\d{1,4}$/.test(v)) throw new NotFoundError('该报告版本不存在。');
  return Number(v);
}

function authenticate(keys: KeysService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('Authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    (async () => {
      const caller = m ? await keys.authenticate(m[1]!) : undefined;
      if (!caller) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="nqi-api"');
        throw new UnauthorizedError(m ? '接口密钥无效或已停用。' : '请在 Authorization 请求头中提供 Bearer 接口密钥。');
      }
      res.locals.apiCaller = caller;
    })().then(() => next(), next);
  };
}
