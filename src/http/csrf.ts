import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { match, type MatchFunction } from 'path-to-regexp';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined);
  },
});

/** CSRF check for a multipart route, called after multer has read the fields (see multipartForm). */
export const verifyCsrf: RequestHandler = csrfSynchronisedProtection;

/** Puts a CSRF token into the session (at login, so pages opened in parallel right after share it). */
export function issueCsrfToken(req: Request): string {
  return generateToken(req);
}

/**
 * The routes that parse a multipart body themselves and check the token from its fields. Every other multipart
 * request is checked here, before any route — with its body unread, so a token can only come from the header. Without
 * this list a multipart POST to a route that never parses multipart would carry no token check at all.
 */
const uploadRoutes = new Map<string, MatchFunction<object>>();

export function registerUploadRoute(path: string): void {
  if (!uploadRoutes.has(path)) uploadRoutes.set(path, match(path));
}

/** Whether this request is a POST to a route that parses multipart itself (see multipartForm). */
export function isUploadRoute(req: Request): boolean {
  return req.method === 'POST' && [...uploadRoutes.values()].some((matches) => matches(req.path) !== false);
}

/** Every state-changing request carries the session's CSRF token, whatever its content type. */
export const csrfProtection: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (req.is('multipart/form-data') && isUploadRoute(req)) return next();
  csrfSynchronisedProtection(req, res, next);
};
