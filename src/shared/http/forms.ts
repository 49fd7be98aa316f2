import type { Response } from 'express';
import { ValidationError } from '../errors.js';

const NEVER_ECHO = /password|_csrf/i;

/** The user's input to put back into a re-rendered form, without secrets. */
export function keptValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([k]) => !NEVER_ECHO.test(k)));
}

/**
 * Re-renders a form with 422, the field messages and the user's input when the error is a ValidationError;
 * any other error goes on to the error handler.
 */
export function renderInvalid(
  res: Response,
  err: unknown,
  view: string,
  locals: Record<string, unknown> & { values?: unknown },
): void {
  if (!(err instanceof ValidationError)) throw err;
  res.status(422).render(view, { ...locals, errors: err.fieldErrors, formError: err.message, values: keptValues(locals.values) });
}
