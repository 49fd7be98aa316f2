import type { NextFunction, Request, Response } from 'express';
import { asPrincipal, roleMay, type Action, type Principal, type PrincipalRow } from '../auth/access.js';
import { ForbiddenError } from '../shared/errors.js';

export { safeNextPath } from '../shared/safe-path.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // passport's req.user is our Principal
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends PrincipalRow {}
  }
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
  return asPrincipal(req.user);
}
