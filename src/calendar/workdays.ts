import chineseDays from 'chinese-days';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { addDays, dayjs, weekdayOf } from '../shared/time.js';

/**
 * Working days in mainland China: weekends, statutory holidays and 调休 make-up workdays come from the maintained
 * `chinese-days` package (scraped from the State Council notices). A year the package does not cover yet (the notice
 * for next year usually appears in November) falls back to weekends plus the statutory holidays of
 * 《全国年节及纪念日放假办法》 (2025): those days are certain, only the make-up Saturdays are unknown until the notice —
 * such dates are reported as `estimated` and the package update brings the exact calendar.
 */

const require = createRequire(import.meta.url);
const calendarData = JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const coveredYears = new Set(Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))));

export function yearIsCovered(year: number): boolean {
  return coveredYears.has(year);
}

const fallbackCache = new Map<number, Set<string>>();

/** Statutory holidays of a year the package does not cover: fixed-date ones plus lunar ones (via chinese-days). */
function statutoryHolidays(year: number): Set<string> {
  const cached = fallbackCache.get(year);
  if (cached) return cached;
  const days = new Set<string>([`${year}-01-01`, `${year}-05-01`, `${year}-05-02`, `${year}-10-01`, `${year}-10-02`, `${year}-10-03`]);
  const lunar = (month: number, day: number) => chineseDays.getSolarDateFromLunar(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`).date;
  const springFestival = lunar(1, 1);
  // 春节: 除夕 (the day before) + 正月初一 to 初三.
  for (let offset = -1; offset <= 2; offset++) days.add(dayjs(springFestival).add(offset, 'day').format('YYYY-MM-DD'));
  days.add(lunar(5, 5)); // 端午
  days.add(lunar(8, 15)); // 中秋
  const qingming = chineseDays.getSolarTerms(`${year}-04-01`, `${year}-04-10`).find((t) => t.name === '清明');
  if (qingming) days.add(qingming.date);
  fallbackCache.set(year, days);
  return days;
}

export interface DayInfo {
  date: string;
  working: boolean;
  /** True when the year's official arrangement is not published yet (make-up workdays unknown). */
  estimated: boolean;
}

const dayInfoCache = new Map<string, DayInfo>();

/** Whether a date is a working day (memoised: pages ask about the same few hundred dates all day long). */
export function dayInfo(date: string): DayInfo {
  let info = dayInfoCache.get(date);
  if (!info) {
    info = computeDayInfo(date);
    if (dayInfoCache.size > 20_000) dayInfoCache.clear();
    dayInfoCache.set(date, info);
  }
  return info;
}

function computeDayInfo(date: string): DayInfo {
  const year = Number(date.slice(0, 4));
  if (yearIsCovered(year)) return { date, working: chineseDays.isWorkday(date), estimated: false };
  const weekday = weekdayOf(date);
  const working = weekday !== 0 && weekday !== 6 && !statutoryHolidays(year).has(date);
  return { date, working, estimated: true };
}

export function isWorkingDay(date: string, closedDates?: ReadonlySet<string>): boolean {
  return dayInfo(date).working && !closedDates?.has(date);
}

/**
 * The date `days` working days after `start` (start itself not counted): "5 working days from acceptance".
 * Node closures (typhoon, maintenance) count as non-working too.
 */
export function addWorkingDays(start: string, days: number, closedDates?: ReadonlySet<string>): string {
  let current = dayjs(start);
  let remaining = days;
  let guard = 0;
  while (remaining > 0) {
    current = current.add(1, 'day');
    if (isWorkingDay(current.format('YYYY-MM-DD'), closedDates)) remaining--;
    if (++guard > 3660) throw new Error('addWorkingDays: no working day found within 10 years');
  }
  return current.format('YYYY-MM-DD');
}

/** Working days strictly after `from` up to and including `to` (turnaround actually taken). */
export function workingDaysBetween(from: string, to: string, closedDates?: ReadonlySet<string>): number {
  if (to <= from) return 0;
  let n = 0;
  for (let d = dayjs(from).add(1, 'day'); d.format('YYYY-MM-DD') <= to; d = d.add(1, 'day')) {
    if (isWorkingDay(d.format('YYYY-MM-DD'), closedDates)) n++;
  }
  return n;
}

/** Every date from `from` to `to` inclusive. */
export function datesInRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
