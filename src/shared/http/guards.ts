import type { NextFunction, Request, Response } from 'express';
import { roleMay, type Action, type Principal } from '../../auth/access.js';
import { ForbiddenError } from '../errors.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // passport's req.user is our Principal
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
  }
}

/** A same-site path to go back to after login; anything else falls back to the role's home. */
export function safeNextPath(next: unknown): string | undefined {
  if (typeof next !== 'string') return undefined;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 500) return undefined;
  return next;
}

export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.method === 'GET') return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
  res.status(401);
  next(new ForbiddenError('请先登录。'));
}

/** Role gate for a whole router or route; scope checks on records happen in services via assertCan. */
export function requireAction(action: Action) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.user) return requireLogin(req, res, next);
    if (!roleMay(req.user, action)) return next(new ForbiddenError());
    next();
  };
}

export function currentUser(req: Request): Principal {
  if (!req.user) throw new ForbiddenError('请先登录。');
  return req.user;
}
