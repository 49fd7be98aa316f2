import type { NextFunction, Request, Response } from 'express';

/**
 * Renders every page inside a layout: the view is rendered first, then `layouts/<layout>` with the page as `body`.
 * A view picks another layout with the local `layout` ('print' for A4 pages) or none with `layout: false`.
 */
export function layoutRenderer(defaultLayout = 'main') {
  return (_req: Request, res: Response, next: NextFunction) => {
    const render = res.render.bind(res) as (view: string, locals?: object, cb?: (err: Error | null, html?: string) => void) => void;
    res.render = ((view: string, localsOrCb?: object | ((err: Error, html: string) => void), maybeCb?: (err: Error, html: string) => void) => {
      const locals = (typeof localsOrCb === 'object' ? localsOrCb : {}) as Record<string, unknown>;
      const cb = typeof localsOrCb === 'function' ? localsOrCb : maybeCb;
      const layout = locals.layout ?? res.locals.layout ?? defaultLayout;
      if (layout === false) return render(view, locals, cb as never);
      render(view, locals, (err, body) => {
        if (err) return cb ? cb(err, '') : next(err);
        render(`layouts/${String(layout)}`, { ...locals, body }, cb as never);
      });
    }) as Response['render'];
    next();
  };
}
