import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConflictError, ValidationError } from '../shared/errors.js';
import { flash, type FlashKind } from './flash.js';

const NEVER_ECHO = /password|_csrf/i;

/** The user's input to put back into a re-rendered form, without secrets. */
export function keptValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !NEVER_ECHO.test(k)));
}

/** The parsed form body (urlencoded or multipart): always an object, whatever the client sent. */
export function formBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Why a form was refused, ready for the page that shows it again. */
export interface Refusal {
  /** 422 for input to correct, 409 when the state of things refuses it (a full window, a booking already moved on). */
  status: 422 | 409;
  errors: Record<string, string>;
  formError: string;
  /** The first field's message: for pages where the form is one of several (the booking page's actions). */
  firstError: string;
  /** The user's input to put back (secrets removed). */
  values: Record<string, unknown>;
  /** The error itself, for pages that show more (the next free windows of a full window). */
  error: ValidationError | ConflictError;
}

/** A refusal the user can act on, or undefined for anything else (which goes on to the error handler). */
export function refusalOf(err: unknown, body: unknown): Refusal | undefined {
  if (err instanceof ValidationError) {
    return { status: 422, errors: err.fieldErrors, formError: err.message, firstError: Object.values(err.fieldErrors)[0] ?? err.message, values: keptValues(body), error: err };
  }
  if (err instanceof ConflictError) return { status: 409, errors: {}, formError: err.message, firstError: err.message, values: keptValues(body), error: err };
  return undefined;
}

/**
 * The one refused-form path: runs the action; when it is refused for a reason the user can act on, `rerender` shows
 * the form again with the messages and the input kept (422/409). Anything else goes to the error handler.
 */
export function formAction(
  action: (req: Request, res: Response) => Promise<unknown>,
  rerender: (req: Request, res: Response, refusal: Refusal) => Promise<unknown> | unknown,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      await action(req, res);
    } catch (err) {
      const refusal = refusalOf(err, req.body);
      if (!refusal) return next(err);
      try {
        await rerender(req, res, refusal);
      } catch (renderErr) {
        next(renderErr);
      }
    }
  };
}

/**
 * For small forms on a list or page (a row's review, a reset): a refusal becomes a message on the page the form was
 * on, instead of a page of its own.
 */
export function refusalAsMessage(kind: FlashKind, back: (req: Request) => string) {
  return (req: Request, res: Response, refusal: Refusal): void => {
    flash(req, kind, refusal.firstError);
    res.redirect(303, back(req));
  };
}

/** Is a posted on/off switch (`active=1` or `0`) on? */
export const switchedOn = (req: Request): boolean => formBody(req).active === '1';

/**
 * The on/off switch of a management page (activate/deactivate a node, service, company, account): sets it, says
 * which way it went, and goes back; a refusal (deactivating oneself) is said on the same page.
 */
export function switchAction(set: (req: Request, on: boolean) => Promise<unknown>, said: { on: string; off: string }, back: (req: Request) => string): RequestHandler {
  return formAction(async (req, res) => {
    const on = switchedOn(req);
    await set(req, on);
    flash(req, 'success', on ? said.on : said.off);
    res.redirect(303, back(req));
  }, refusalAsMessage('warning', back));
}

/**
 * Flattens nested form values back into name/value pairs (items[0][name] …) for hidden fields, so a review page can
 * post exactly what the user entered.
 */
export function hiddenFields(values: unknown, prefix = ''): { name: string; value: string }[] {
  if (values === null || values === undefined) return [];
  if (typeof values !== 'object') return prefix ? [{ name: prefix, value: String(values) }] : [];
  const out: { name: string; value: string }[] = [];
  const entries = Array.isArray(values) ? values.map((v, i) => [String(i), v] as const) : Object.entries(values as Record<string, unknown>);
  for (const [key, v] of entries) {
    if (!prefix && NEVER_ECHO.test(key)) continue;
    const name = prefix ? `${prefix}[${key}]` : key;
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) {
      for (const x of v) out.push({ name: `${name}[]`, value: String(x) });
    } else {
      out.push(...hiddenFields(v, name));
    }
  }
  return out;
}
