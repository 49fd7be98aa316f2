import type { NextFunction, Request, Response } from 'express';

export type FlashKind = 'success' | 'info' | 'warning' | 'danger';
/** A link the message offers (a path on this site, built by the code that flashes it — never from user input). */
export interface FlashLink {
  href: string;
  text: string;
}
export interface FlashMessage {
  kind: FlashKind;
  text: string;
  links?: FlashLink[];
}

declare module 'express-session' {
  interface SessionData {
    flash?: FlashMessage[];
  }
}

/** Queues a message for the next page the user sees (after a redirect). */
export function flash(req: Request, kind: FlashKind, text: string, links?: FlashLink[]): void {
  if (!req.session) return;
  (req.session.flash ??= []).push({ kind, text, ...(links?.length ? { links } : {}) });
}

/**
 * Moves queued messages into the page locals; they are shown once. And: a redirect that leaves a message for the next
 * page waits until the session is saved. express-session otherwise sends the redirect's headers while its save is
 * still running, and with several app processes the browser's next request could read the session before the message
 * is in it — the message then showed one page late.
 */
export function flashMiddleware(req: Request, res: Response, next: NextFunction): void {
  const queued = req.session?.flash;
  res.locals.flashes = queued ?? [];
  if (queued) delete req.session.flash;
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session?.flash?.length) return redirect(...args);
    // (a failed save still redirects: the change is made, only its message may be lost)
    req.session.save(() => redirect(...args));
  }) as Response['redirect'];
  next();
}
