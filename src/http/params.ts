import { NotFoundError } from '../shared/errors.js';
import { isoDateOrUndefined } from '../shared/time.js';

/** A trimmed, length-capped query-string value, or undefined when absent, empty or not a single string. */
export function queryText(value: unknown, max = 50): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : undefined;
}

/** A numeric id from the path; anything else is a record that does not exist. */
export function idParam(value: string | string[] | undefined): number {
  if (Array.isArray(value)) throw new NotFoundError();
  if (!value || !/^[1-9]\d{0,8}$/.test(value)) throw new NotFoundError();
  return Number(value);
}

/** A page number from the query string (1 when absent or invalid). */
export function pageParam(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : 1;
  return Math.max(1, n);
}

/** A date filter from the query string (YYYY-MM-DD, a real date in the platform's range), or undefined. */
export function queryDate(value: unknown): string | undefined {
  return isoDateOrUndefined(value);
}
