import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isUploadRoute } from './csrf.js';

/** A body the app does not read (JSON, text/plain, multipart on a route without a multipart parser …). */
export class UnsupportedBodyError extends Error {
  /** Read by the error handler: answered 415 with the generic "request malformed" page. */
  readonly status = 415;
  constructor(type: string) {
    super(`unsupported request body: ${type}`);
    this.name = 'UnsupportedBodyError';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs after the CSRF check: a state-changing request carries what a form of ours sends — an urlencoded body, a
 * multipart body on the routes that parse one (registered by multipartForm), or nothing at all — and every other
 * body is refused with 415 before a route sees it. Without this, a multipart or JSON body with a valid token reached
 * routes that read `req.body` with no parser having run (a TypeError, i.e. a 500); and the one list of what is
 * accepted is here, not implied by which parsers happen to be mounted.
 */
export const acceptedBodies: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  if (SAFE_METHODS.has(req.method)) return next();
  // type-is: null when the request has no body at all (no Content-Length, no Transfer-Encoding)
  const type = req.is(['application/x-www-form-urlencoded', 'multipart/form-data']);
  if (type === null) {
    req.body ??= Object.create(null);
    return next();
  }
  if (type === 'application/x-www-form-urlencoded') return next();
  if (type === 'multipart/form-data' && isUploadRoute(req)) return next();
  next(new UnsupportedBodyError(String(req.headers['content-type'] ?? 'none')));
};
