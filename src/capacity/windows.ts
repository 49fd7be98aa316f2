import type { DayInfo } from '../calendar/workdays.js';
import { weekdayOf } from '../shared/time.js';

/**
 * Booking windows. By default a node offers two half-day windows (上午/下午) on working days, and consultations their
 * timed slots. A node-service may instead define its own windows per weekday (`node_service_windows`): the oil lab's
 * 7×24 sample reception has a day and a night window every day, holidays included. The key of such a window is its
 * time span, "08:00-20:00" or "20:00-08:00" (overnight), so a booking's window reads the same on every page.
 */

export interface WindowDef {
  key: string;
  label: string;
  /** Local start time; a window that has started can no longer be booked. */
  start: string;
  /** Units the window takes when its capacity row is first created. */
  capacity: number;
}

/** A node-service's own window on one weekday (1 = Monday … 7 = Sunday). */
export interface ServiceWindow {
  nodeServiceId: number;
  weekday: number;
  code: string;
  label: string;
  capacity: number;
  onHolidays: boolean;
}

export const HALF_DAY_WINDOWS = [
  { key: 'am', label: '上午', start: '08:30' },
  { key: 'pm', label: '下午', start: '13:30' },
] as const;

export const WEEKDAY_LABELS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

export const SPAN_RE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** "08:00-20:00" → start and end; `overnight` when it ends the next day. */
export function parseSpan(code: string): { start: string; end: string; overnight: boolean } | undefined {
  if (!SPAN_RE.test(code)) return undefined;
  const [start, end] = code.split('-') as [string, string];
  return { start, end, overnight: end <= start };
}

/** How a window reads anywhere: 上午, 下午, 09:00 (a consultation slot), 20:00–次日 08:00. */
export function windowLabel(window: string): string {
  const half = HALF_DAY_WINDOWS.find((w) => w.key === window);
  if (half) return half.label;
  const span = parseSpan(window);
  if (span) return `${span.start}–${span.overnight ? '次日 ' : ''}${span.end}`;
  return window;
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string) => weekdayOf(date) || 7;

/**
 * The own windows open on a date: those of its weekday; on a statutory holiday only those marked open on holidays;
 * on a make-up workday (调休上班, a weekend working day) those of a regular Monday.
 */
export function ownWindowsOn(rows: readonly ServiceWindow[], date: string, info: Pick<DayInfo, 'working' | 'holiday'>): WindowDef[] {
  const weekday = isoWeekday(date);
  const makeUp = info.working && weekday >= 6;
  const day = rows.filter((r) => r.weekday === (makeUp ? 1 : weekday) && (!info.holiday || r.onHolidays));
  return day
    .map((r) => ({ key: r.code, label: `${r.label} ${windowLabel(r.code)}`, start: parseSpan(r.code)!.start, capacity: r.capacity }))
    .sort((a, b) => a.start.localeCompare(b.start));
}
