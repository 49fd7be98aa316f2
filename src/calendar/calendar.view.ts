import { addDays, formatDateWithWeekday } from '../shared/time.js';
import type { YearSource } from './workdays.js';

/** Where a year's calendar comes from, as the admin page says it. */
export const YEAR_SOURCE_LABELS: Record<YearSource, string> = {
  entered: '已录入官方安排',
  package: '国务院通知（随系统更新）',
  estimated: '预估（官方安排未发布）',
};

export const calendarHref = (year?: number) => (year ? `/admin/calendar?year=${year}` : '/admin/calendar');

interface Day {
  date: string;
  name: string;
}

/** Consecutive days of the same name as ranges: [["2027-10-01", "2027-10-07"]]. */
function ranges(days: Day[]): [string, string][] {
  const out: [string, string][] = [];
  for (const d of days) {
    const last = out[out.length - 1];
    if (last && addDays(last[1], 1) === d.date) last[1] = d.date;
    else out.push([d.date, d.date]);
  }
  return out;
}

const baseName = (name: string) => name.replace(/（补休）$/, '');

/** A year's days off and make-up workdays grouped by holiday, in date order, for the page's table. */
export function groupArrangement(holidays: Day[], workdays: Day[]) {
  const names = [...new Set([...holidays, ...workdays].sort((a, b) => a.date.localeCompare(b.date)).map((d) => baseName(d.name) || '其他'))];
  return names.map((name) => {
    const off = holidays.filter((d) => (baseName(d.name) || '其他') === name);
    return {
      name,
      days: off.length,
      off: ranges(off).map(([from, to]) => (from === to ? formatDateWithWeekday(from) : `${formatDateWithWeekday(from)} 至 ${formatDateWithWeekday(to)}`)),
      inLieu: off.filter((d) => d.name.endsWith('（补休）')).map((d) => formatDateWithWeekday(d.date)),
      workdays: workdays.filter((d) => (baseName(d.name) || '其他') === name).map((d) => formatDateWithWeekday(d.date)),
    };
  });
}

/** Entered days back as the plain lines the form reads ("2027-10-01 至 2027-10-07 放假 国庆节"), for editing. */
export function arrangementLines(days: (Day & { kind: 'holiday' | 'workday' })[]): string {
  const lines: string[] = [];
  const names = [...new Set(days.map((d) => d.name))];
  for (const name of names) {
    for (const [from, to] of ranges(days.filter((d) => d.name === name && d.kind === 'holiday'))) lines.push(`${from}${to !== from ? ` 至 ${to}` : ''} 放假 ${name}`);
    for (const d of days.filter((x) => x.name === name && x.kind === 'workday')) lines.push(`${d.date} 上班 ${name}`);
  }
  return lines.join('\n');
}
