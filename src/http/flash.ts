import type { NextFunction, Request, Response } from 'express';

export type FlashKind = 'success' | 'info' | 'warning' | 'danger';
export interface FlashMessage {
  kind: FlashKind;
  text: string;
}

declare module 'express-session' {
  interface SessionData {
    flash?: FlashMessage[];
  }
}

/** Queues a message for the next page the user sees (after a redirect). */
export function flash(req: Request, kind: FlashKind, text: string): void {
  if (!req.session) return;
  (req.session.flash ??= []).push({ kind, text });
}

/** Moves queued messages into the page locals; they are shown once. */
export function flashMiddleware(req: Request, res: Response, next: NextFunction): void {
  const queued = req.session?.flash;
  res.locals.flashes = queued ?? [];
  if (queued) delete req.session.flash;
  next();
}
