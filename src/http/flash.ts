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

/** Moves queued messages into the page locals; they are shown once. */
export function flashMiddleware(req: Request, res: Response, next: NextFunction): void {
  const queued = req.session?.flash;
  res.locals.flashes = queued ?? [];
  if (queued) delete req.session.flash;
  next();
}
