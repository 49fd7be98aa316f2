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
  return dayjs(at).tz(TZ).format('YYYY-MM-DD');
}

export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && dayjs(value, 'YYYY-MM-DD', true).isValid();
}

export function addDays(isoDate: string, days: number): string {
  return dayjs(isoDate).add(days, 'day').format('YYYY-MM-DD');
}

export function daysBetween(fromIso: string, toIso: string): number {
  return dayjs(toIso).diff(dayjs(fromIso), 'day');
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  if (typeof value === 'string') return value.slice(0, 10);
  return dayjs(value).tz(TZ).format('YYYY-MM-DD');
}

export function formatDateWithWeekday(isoDate: string): string {
  const d = dayjs(isoDate);
  return `${d.format('M月D日')} ${WEEKDAYS[d.day()]}`;
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  return dayjs(value).tz(TZ).format('YYYY-MM-DD HH:mm');
}
