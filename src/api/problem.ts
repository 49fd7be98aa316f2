import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pgErrorCode } from '../db/client.js';
import { AppError, ConflictError, ForbiddenError, IdempotencyKeyReusedError, NotFoundError, RateLimitedError, ValidationError } from '../shared/errors.js';

/* Errors of the open API as RFC 9457 problem details (application/problem+json), never an HTML page. */

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

const TYPE = 'https://nqi.zhoushan.gov.cn/api/problems/';

export class UnauthorizedError extends AppError {}
/** The body is over the route's limit (an upload over 10 MB): 413. */
export class PayloadTooLargeError extends AppError {}
/** The body is of a type the route does not take: 415. */
export class UnsupportedMediaTypeError extends AppError {}

export function sendProblem(res: Response, problem: ProblemBody): void {
  if (res.headersSent) return;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

export function problemOf(err: unknown): ProblemBody | undefined {
  if (err instanceof UnauthorizedError) return { type: `${TYPE}unauthorized`, title: '未认证', status: 401, detail: err.message };
  if (err instanceof PayloadTooLargeError) return { type: `${TYPE}too-large`, title: '提交的内容过大', status: 413, detail: err.message };
  if (err instanceof UnsupportedMediaTypeError) return { type: `${TYPE}unsupported-media-type`, title: '不支持的内容类型', status: 415, detail: err.message };
  if (err instanceof NotFoundError) return { type: `${TYPE}not-found`, title: '不存在', status: 404, detail: err.message };
  if (err instanceof ForbiddenError) return { type: `${TYPE}forbidden`, title: '无权操作', status: 403, detail: err.message };
  if (err instanceof ValidationError) {
    return { type: `${TYPE}validation`, title: '提交的内容有误', status: 422, detail: err.message, errors: Object.entries(err.fieldErrors).map(([field, message]) => ({ field, message })) };
  }
  if (err instanceof IdempotencyKeyReusedError) return { type: `${TYPE}idempotency-key-reused`, title: '幂等键已用于其他请求', status: 422, detail: err.message, errors: [{ field: 'Idempotency-Key', message: err.message }] };
  if (err instanceof ConflictError) return { type: `${TYPE}${err.code === 'conflict' ? 'conflict' : err.code}`, title: '操作未完成', status: 409, detail: err.message };
  if (err instanceof RateLimitedError) return { type: `${TYPE}rate-limited`, title: '请求过于频繁', status: 429, detail: err.message };
  if (err instanceof AppError) return { type: `${TYPE}bad-request`, title: '请求有误', status: 400, detail: err.message };
  if (['22021', '22P05'].includes(pgErrorCode(err) ?? '')) return { type: `${TYPE}bad-request`, title: '请求有误', status: 400, detail: '提交的内容包含无法识别的字符。' };
  const e = err as { type?: string; status?: number; statusCode?: number };
  if (e?.type === 'entity.too.large') return { type: `${TYPE}too-large`, title: '提交的内容过大', status: 413 };
  if (e?.type === 'entity.parse.failed') return { type: `${TYPE}bad-json`, title: '请求体不是有效的 JSON', status: 400 };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { type: `${TYPE}bad-request`, title: '请求有误', status };
  return undefined;
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = problemOf(err);
    if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (known) return sendProblem(res, known);
    logger.error({ err, method: req.method, url: req.originalUrl }, 'api: unhandled error');
    sendProblem(res, { type: `${TYPE}internal`, title: '服务暂时不可用', status: 500 });
  };
}
