import chineseDays from 'chinese-days';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { addDays, weekdayOf } from '../shared/time.js';

/**
 * Working days in mainland China, from three sources in this order:
 * 1. the official arrangement of a year entered by the platform admin (`calendar_days`, the State Council notice):
 *    it overrides everything else for that year;
 * 2. the maintained `chinese-days` package (scraped from the same notices), for the years it covers;
 * 3. for any other year, an estimate: weekends plus the statutory holidays of 《全国年节及纪念日放假办法》 (2025), with
 *    the in-lieu day (补休) the rules give when a holiday falls on a weekend. Only the make-up Saturdays (调休) are
 *    unknown until the notice, so such dates are reported as `estimated`.
 *
 * Callers ask synchronously (due dates, queues, availability grids, seeds), so the admin's entries live in an
 * in-process copy: `installCalendarOverrides` swaps it whole (the calendar service loads it at start, after every
 * change and on a timer for the other processes), and every answer below reads only memory.
 */

const require = createRequire(import.meta.url);
const calendarData = JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const coveredYears = new Set(Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))));

/** The package's entries read "National Day,国庆节,3": the Chinese name is the second part. */
const packageName = (entry: string | undefined) => entry?.split(',')[1] ?? '';

export type CalendarDayKind = 'holiday' | 'workday';

/** The admin's entries: each entered day, and the years whose arrangement was entered. */
export interface CalendarOverrides {
  days: ReadonlyMap<string, { kind: CalendarDayKind; name: string }>;
  years: ReadonlySet<number>;
}

let overrides: CalendarOverrides = { days: new Map(), years: new Set() };

/** Replaces the in-process copy of the admin's entries (and forgets every memoised answer). */
export function installCalendarOverrides(next: CalendarOverrides): void {
  overrides = next;
  dayInfoCache.clear();
}

export type YearSource = 'entered' | 'package' | 'estimated';

/** Where a year's calendar comes from. */
export function yearSource(year: number): YearSource {
  if (overrides.years.has(year)) return 'entered';
  return coveredYears.has(year) ? 'package' : 'estimated';
}

/** True when a year's arrangement is neither entered nor in the package: its dates are an estimate. */
export const yearIsEstimated = (year: number): boolean => yearSource(year) === 'estimated';

/** A due date rests on an estimate when its year's arrangement is not known yet (the counting ends there). */
export function dateIsEstimated(date: string | null | undefined): boolean {
  return !!date && yearIsEstimated(Number(date.slice(0, 4)));
}

const fallbackCache = new Map<number, Map<string, string>>();

/** Statutory holidays of a year nobody has published: fixed-date ones plus lunar ones (via chinese-days). */
function statutoryHolidays(year: number): Map<string, string> {
  const days = new Map<string, string>();
  const add = (date: string, name: string) => days.set(date, name);
  add(`${year}-01-01`, '元旦');
  add(`${year}-05-01`, '劳动节');
  add(`${year}-05-02`, '劳动节');
  for (const d of ['01', '02', '03']) add(`${year}-10-${d}`, '国庆节');
  const lunar = (month: number, day: number) => chineseDays.getSolarDateFromLunar(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`).date;
  // 春节: 除夕 (the day before 正月初一) to 初三.
  const springFestival = lunar(1, 1);
  for (let offset = -1; offset <= 2; offset++) add(addDays(springFestival, offset), '春节');
  add(lunar(5, 5), '端午节');
  add(lunar(8, 15), '中秋节');
  const qingming = chineseDays.getSolarTerms(`${year}-04-01`, `${year}-04-10`).find((t) => t.name === '清明');
  if (qingming) add(qingming.date, '清明节');
  return days;
}

const isWeekend = (date: string) => [0, 6].includes(weekdayOf(date));

/**
 * The estimated days off of a year: the statutory holidays, and for each one that falls on a Saturday or Sunday an
 * in-lieu day (补休) on the next weekday that is not already off — 2027: 春节 02-06/07 → 02-09 and 02-10,
 * 劳动节 05-01/02 → 05-03 and 05-04, 国庆节 10-02/03 → 10-04 and 10-05.
 */
export function estimatedDaysOff(year: number): ReadonlyMap<string, string> {
  const cached = fallbackCache.get(year);
  if (cached) return cached;
  const holidays = statutoryHolidays(year);
  const off = new Map(holidays);
  for (const [date, name] of [...holidays].sort(([a], [b]) => a.localeCompare(b))) {
    if (!isWeekend(date)) continue;
    let candidate = addDays(date, 1);
    while (isWeekend(candidate) || off.has(candidate)) candidate = addDays(candidate, 1);
    off.set(candidate, `${name}（补休）`);
  }
  fallbackCache.set(year, off);
  return off;
}

export interface DayInfo {
  date: string;
  working: boolean;
  /** A statutory holiday or a day off in its place (weekend days inside a holiday block included). */
  holiday: boolean;
  /** The holiday's name (春节 …) when `holiday`, or the holiday a make-up workday belongs to. */
  name: string;
  /** True when the year's official arrangement is not known yet (make-up workdays unknown). */
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
  const entered = overrides.days.get(date);
  if (entered) return { date, working: entered.kind === 'workday', holiday: entered.kind === 'holiday', name: entered.name, estimated: false };
  const year = Number(date.slice(0, 4));
  switch (yearSource(year)) {
    case 'entered':
      return { date, working: !isWeekend(date), holiday: false, name: '', estimated: false };
    case 'package': {
      const holiday = packageName(calendarData.holidays[date]);
      return { date, working: chineseDays.isWorkday(date), holiday: !!holiday, name: holiday || packageName(calendarData.workdays[date]), estimated: false };
    }
    case 'estimated': {
      const off = estimatedDaysOff(year).get(date);
      return { date, working: !off && !isWeekend(date), holiday: !!off, name: off ?? '', estimated: true };
    }
  }
}

export function isWorkingDay(date: string, closedDates?: ReadonlySet<string>): boolean {
  return dayInfo(date).working && !closedDates?.has(date);
}

/**
 * The date `days` working days after `start` (start itself not counted): "5 working days from acceptance".
 * Node closures (typhoon, maintenance) count as non-working too.
 */
export function addWorkingDays(start: string, days: number, closedDates?: ReadonlySet<string>): string {
  // date arithmetic, not dayjs: due dates are computed for every row of the lab's lists and of the demo history
  let current = start;
  let remaining = days;
  let guard = 0;
  while (remaining > 0) {
    current = addDays(current, 1);
    if (isWorkingDay(current, closedDates)) remaining--;
    if (++guard > 3660) throw new Error('addWorkingDays: no working day found within 10 years');
  }
  return current;
}

/** Working days strictly after `from` up to and including `to` (turnaround actually taken). */
export function workingDaysBetween(from: string, to: string, closedDates?: ReadonlySet<string>): number {
  if (to <= from) return 0;
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) {
    if (isWorkingDay(d, closedDates)) n++;
  }
  return n;
}

/** Every date from `from` to `to` inclusive. */
export function datesInRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The days off and make-up workdays of a year as the calendar now has them (for the admin's calendar page). */
export function yearArrangement(year: number): { holidays: { date: string; name: string }[]; workdays: { date: string; name: string }[] } {
  const holidays: { date: string; name: string }[] = [];
  const workdays: { date: string; name: string }[] = [];
  for (const date of datesInRange(`${year}-01-01`, `${year}-12-31`)) {
    const info = dayInfo(date);
    if (info.holiday) holidays.push({ date, name: info.name });
    else if (info.working && isWeekend(date)) workdays.push({ date, name: info.name });
  }
  return { holidays, workdays };
}
