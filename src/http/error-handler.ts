import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pgErrorCode } from '../db/client.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../shared/errors.js';

interface ErrorPage {
  status: number;
  title: string;
  message: string;
}

function describe(err: unknown): ErrorPage | undefined {
  if (err instanceof NotFoundError) return { status: 404, title: '页面不存在', message: err.message };
  if (err instanceof ForbiddenError) return { status: 403, title: '无权访问', message: err.message };
  if (err instanceof ValidationError) {
    const first = Object.values(err.fieldErrors)[0];
    return { status: 422, title: '提交的内容有误', message: first ?? err.message };
  }
  if (err instanceof ConflictError) return { status: 409, title: '操作未完成', message: err.message };
  if (err instanceof RateLimitedError) return { status: 429, title: '请求过于频繁', message: err.message };
  if (err instanceof AppError) return { status: 400, title: '请求有误', message: err.message };

  // Text PostgreSQL cannot store (a NUL that slipped past the input guard): the request's fault, not ours.
  if (['22021', '22P05'].includes(pgErrorCode(err) ?? '')) return { status: 400, title: '请求有误', message: '提交的内容包含无法识别的字符，请检查后重新提交。' };

  const e = err as { code?: string; type?: string; status?: number; statusCode?: number };
  if (e?.code === 'EBADCSRFTOKEN') {
    return { status: 403, title: '表单已失效', message: '表单已过期或来源不明（安全校验未通过）。请返回上一页，刷新后重新提交。' };
  }
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FIELD_VALUE' || e?.type === 'parameters.too.many') {
    return { status: 413, title: '提交的内容过大', message: '提交的内容超过了允许的大小，请精简后重试。' };
  }
  if (e?.code?.startsWith?.('LIMIT_')) {
    return { status: 422, title: '上传的文件不符合要求', message: '上传的文件数量或大小超出限制：最多 5 个文件，每个不超过 10 MB。' };
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, title: '请求有误', message: '请求的格式不正确，请返回后重试。' };
  }
  return undefined;
}

const PLAIN_FALLBACK = '服务暂时不可用，请稍后重试。';

/** Renders an error page; if even that fails, a plain sentence — never a stack trace. */
export function renderErrorPage(res: Response, page: ErrorPage): void {
  if (res.headersSent) return;
  const view = page.status === 404 ? 'errors/404' : page.status === 403 ? 'errors/403' : 'errors/error';
  res.status(page.status).render(view, { title: page.title, message: page.message, status: page.status }, (err, html) => {
    if (err) res.type('text/plain; charset=utf-8').send(page.status >= 500 ? PLAIN_FALLBACK : page.message);
    else res.send(html);
  });
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError('您访问的页面不存在。'));

/** The one place errors become responses: known errors get their Chinese page, anything else a plain 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    const known = describe(err);
    if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (known) {
      if (res.statusCode === 401 && known.status === 403) known.status = 401;
      return renderErrorPage(res, known);
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    renderErrorPage(res, {
      status: 500,
      title: '服务暂时不可用',
      message: '服务器处理请求时出错，我们已记录此问题。请稍后重试；如多次出现，请联系平台客服。',
    });
  };
}
