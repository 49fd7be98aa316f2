import { NotFoundError } from '../shared/errors.js';

/** JL-20261127-0001: category prefix, creation date (Shanghai), daily sequence. */
export const BOOKING_NUMBER_RE = /^[A-Z]{2}-\d{8}-\d{4,6}$/;

export function formatBookingNumber(prefix: string, day: string, sequence: number): string {
  return `${prefix}-${day.replaceAll('-', '')}-${String(sequence).padStart(4, '0')}`;
}

export function isBookingNumber(value: unknown): value is string {
  return typeof value === 'string' && BOOKING_NUMBER_RE.test(value);
}

/** A booking number from a path: anything else is a booking that does not exist (404). */
export function bookingNumberParam(value: string | string[] | undefined): string {
  if (!isBookingNumber(value)) throw new NotFoundError('该预约不存在，或您无权查看。');
  return value;
}
