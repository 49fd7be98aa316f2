import type { Response } from 'express';
import { ValidationError } from '../shared/errors.js';

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
