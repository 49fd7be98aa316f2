import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { TtlCache } from '../shared/cache.js';

/**
 * A micro-cache of the public catalog pages as anonymous visitors get them. A burst (every company opening the
 * catalog after a policy notice) is served from memory for a few seconds instead of rendering the same page
 * thousands of times. Only GET requests without any cookie are cached or served from it: a signed-in user, or
 * anyone holding a session (a form's CSRF token), always gets a fresh page. Free capacity shown on these pages may
 * be `ttlMs` old; booking itself always checks capacity under a lock.
 */
export class PageCache {
  private readonly pages: TtlCache<string>;

  constructor(ttlMs: number, maxPages = 500) {
    this.pages = new TtlCache<string>(ttlMs, maxPages);
  }

  clear(): void {
    this.pages.clear();
  }

  middleware(paths: RegExp): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.cookie || !paths.test(req.path)) return next();
      const key = req.originalUrl;
      const hit = this.pages.peek(key);
      if (hit) {
        hit.then((html) => res.type('html').send(html), next);
        return;
      }
      const send = res.send.bind(res);
      res.send = ((body?: unknown) => {
        // Only a complete 200 page that started no session may be shared with the next visitor.
        if (res.statusCode === 200 && typeof body === 'string' && !res.getHeader('set-cookie')) this.pages.set(key, body);
        return send(body);
      }) as Response['send'];
      next();
    };
  }
}
