import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import 'dayjs/locale/zh-cn.js';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(customParseFormat);
dayjs.locale('zh-cn');

/** The platform's time zone: every calendar date (booking day, due date, daily sequence) is a Shanghai date. */
export const TZ = 'Asia/Shanghai';

export { dayjs };

/** A source of "now", injected so tests can pin dates around holidays. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  return { now: () => at };
}

/** Calendar date (YYYY-MM-DD) in Shanghai for an instant. */
export function shanghaiDate(at: Date): string {
  // UTC+8 all year (China has no daylight saving): arithmetic, not a time-zone lookup, on this hot path.
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * The calendar dates the platform deals in: bookings, due dates, statistics periods, certificates' next due dates.
 * Outside these years a "date" is an attack or a typo, and the arithmetic on it breaks downstream (9999-12-31 plus one
 * day is year 10000, which PostgreSQL refuses as a timestamp; year 0000 does not exist in PostgreSQL at all).
 */
export const DATE_MIN = '1900-01-01';
export const DATE_MAX = '2199-12-31';

/**
 * The one date check of the platform: a real calendar date written YYYY-MM-DD (2026-02-30 and 9999-99-99 are not),
 * within DATE_MIN…DATE_MAX. Every date from a query string or a form goes through here (schemas, filters, params).
 */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || value < DATE_MIN || value > DATE_MAX) return false;
  // By arithmetic (dayjs' strict parsing was 2 % of a booking form's CPU): day 0 of the next month is this month's last.
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(Number(value.slice(0, 4)), month, 0)).getUTCDate();
}

/** A date from a query string or form field when it is one (see isIsoDate); anything else is no date. */
export function isoDateOrUndefined(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.trim() : value;
  return isIsoDate(text) ? text : undefined;
}

/** Day of the week of a calendar date (0 = Sunday), without a time-zone library. */
export function weekdayOf(isoDate: string): number {
  return new Date(Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10)))).getUTCDay();
}

/** A calendar date `days` later (or earlier): plain UTC arithmetic on the date, no time zone involved. */
export function addDays(isoDate: string, days: number): string {
  const t = Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** A calendar date some months later (or earlier), the day kept or clamped to the month's last (01-31 + 1 → 02-28). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/**
 * The instant a Shanghai calendar day begins, by arithmetic since 1992 (UTC+8 all year); before that the time-zone
 * database decides (daylight saving time in 1986–1991). Period filters build these on every dashboard request.
 */
export function shanghaiStartOfDay(isoDate: string): Date {
  if (isoDate < '1992-01-01') return dayjs.tz(isoDate, TZ).toDate();
  return new Date(Date.parse(`${isoDate}T00:00:00+08:00`));
}

/** The instant of a Shanghai wall-clock time on a date (UTC+8: the dates it is used for are all after 1992). */
export function instantOf(date: string, hhmm: string): Date {
  return new Date(`${date}T${hhmm}:00+08:00`);
}

/** 'HH:MM' in Shanghai of an instant. */
export function shanghaiTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
}

/** The last calendar day of a month given as "YYYY-MM". */
export function lastDayOfMonth(month: string): string {
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);
}

/** Calendar days from one date to another (negative when `toIso` is earlier). */
export function daysBetween(fromIso: string, toIso: string): number {
  const utc = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
  return Math.round((utc(toIso) - utc(fromIso)) / 86_400_000);
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  if (typeof value === 'string') return value.slice(0, 10);
  return shanghaiDateTime(value).slice(0, 10);
}

/**
 * "YYYY-MM-DD HH:mm" in Shanghai by arithmetic (UTC+8 all year since 1992): every page formats dozens of times, and a time-zone
 * conversion through dayjs' plugin (Intl formatToParts per call) was 5–7 % of a signed-in page's CPU. Strings are read
 * as dayjs reads them (database timestamps, ISO strings); an unreadable value formats as nothing.
 */
const SHANGHAI_FIXED_OFFSET_SINCE = Date.UTC(1991, 11, 31, 16);

function shanghaiDateTime(value: Date | string): string {
  const at = value instanceof Date ? value : dayjs(value).toDate();
  const ms = at.getTime();
  if (Number.isNaN(ms)) return '';
  // China kept daylight saving time in the summers of 1986–1991: before 1992 the time-zone database decides.
  if (ms < SHANGHAI_FIXED_OFFSET_SINCE) return dayjs(at).tz(TZ).format('YYYY-MM-DD HH:mm');
  const iso = new Date(ms + 8 * 3600_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function formatDateWithWeekday(isoDate: string): string {
  return `${Number(isoDate.slice(5, 7))}月${Number(isoDate.slice(8, 10))}日 ${WEEKDAYS[weekdayOf(isoDate)]}`;
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  return shanghaiDateTime(value);
}
