import { addDays, isIsoDate, weekdayOf } from '../shared/time.js';
import type { CalendarDayKind } from './workdays.js';

/**
 * Reads a year's holiday arrangement as the platform admin pastes it: the lines of the State Council notice as
 * published ("七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"), or plain
 * lines "2027-10-01 至 2027-10-07 放假 国庆节" / "2027-09-26,上班,国庆节" (a CSV of date, kind, name works too).
 * Every line that cannot be read gets its own message; lines without any date (the notice's preamble) are skipped.
 */

export interface NoticeEntry {
  date: string;
  kind: CalendarDayKind;
  name: string;
  line: number;
}

export interface ParsedNotice {
  entries: NoticeEntry[];
  /** One message per line that could not be read, in order ("第 3 行：…"). */
  errors: string[];
  /** Lines without a date (the notice's title and preamble). */
  ignored: number;
}

const WEEKDAY_NAMES = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const MAX_BLOCK_DAYS = 15;

const KIND_WORDS: Record<string, CalendarDayKind> = { 放假: 'holiday', 休: 'holiday', 休息: 'holiday', holiday: 'holiday', 上班: 'workday', 班: 'workday', workday: 'workday' };

class LineError extends Error {}

const pad = (n: number) => String(n).padStart(2, '0');
const shortDate = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

/** A month-day of the notice as a date: its year, except December in a 元旦 line (the block starts the year before). */
function noticeDate(year: number, month: number, day: number, name: string): string {
  const y = month === 12 && name.includes('元旦') ? year - 1 : year;
  const date = `${y}-${pad(month)}-${pad(day)}`;
  if (!isIsoDate(date)) throw new LineError(`日期“${month}月${day}日”不存在`);
  return date;
}

function block(from: string, to: string): string[] {
  if (to < from) throw new LineError(`结束日期 ${shortDate(to)} 早于开始日期 ${shortDate(from)}`);
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    days.push(d);
    if (days.length > MAX_BLOCK_DAYS) throw new LineError(`连续放假超过 ${MAX_BLOCK_DAYS} 天，请核对日期`);
  }
  return days;
}

/** "七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。" */
function noticeLine(text: string, year: number): { name: string; holidays: string[]; workdays: string[] } {
  const plain = text.replace(/（[^）]*）|\([^)]*\)/g, '').replace(/\s+/g, '');
  const named = /^(?:[一二三四五六七八九十]+[、.．])?([^：:]{1,12})[：:](.*)$/.exec(plain);
  if (!named) throw new LineError('请按通知原文粘贴，如“国庆节：10月1日至7日放假调休，共7天。9月26日上班。”');
  const [, name, body] = named as unknown as [string, string, string];
  const off = /(\d{1,2})月(\d{1,2})日(?:[至到—-](?:(\d{1,2})月)?(\d{1,2})日)?放假/.exec(body);
  if (!off) throw new LineError(`没有找到“${name}”的放假日期（如“10月1日至7日放假”）`);
  const [, m1, d1, m2, d2] = off;
  const from = noticeDate(year, Number(m1), Number(d1), name);
  const to = d2 ? noticeDate(year, Number(m2 ?? m1), Number(d2), name) : from;
  const holidays = block(from, to);
  const total = /共(\d{1,2})天/.exec(body);
  if (total && Number(total[1]) !== holidays.length) throw new LineError(`写明“共${total[1]}天”，但 ${shortDate(from)} 至 ${shortDate(to)} 是 ${holidays.length} 天，请核对`);
  const workdays: string[] = [];
  for (const segment of body.slice(off.index + off[0].length).matchAll(/((?:\d{1,2}月\d{1,2}日[、，,和及与]*)+)上班/g)) {
    for (const [, m, d] of segment[1]!.matchAll(/(\d{1,2})月(\d{1,2})日/g)) workdays.push(noticeDate(year, Number(m), Number(d), name));
  }
  return { name, holidays, workdays };
}

/** "2027-10-01 至 2027-10-07 放假 国庆节", "2027-09-26,上班,国庆节". */
function plainLine(text: string, year: number): { name: string; holidays: string[]; workdays: string[] } {
  const match = /^(\d{4}-\d{2}-\d{2})(?:\s*(?:至|到|~|—)\s*(\d{4}-\d{2}-\d{2}))?[\s,，]+([^\s,，]+)[\s,，]*(.*)$/.exec(text.trim());
  if (!match) throw new LineError('请写成“2027-10-01 至 2027-10-07 放假 国庆节”或“2027-09-26,上班,国庆节”');
  const [, from, to, kindWord, rest] = match as unknown as [string, string, string | undefined, string, string];
  const kind = KIND_WORDS[kindWord.toLowerCase()];
  if (!kind) throw new LineError(`“${kindWord}”应为“放假”或“上班”`);
  for (const d of [from, to]) if (d && !isIsoDate(d)) throw new LineError(`日期“${d}”不存在`);
  for (const d of [from, to]) if (d && Number(d.slice(0, 4)) !== year && !(Number(d.slice(0, 4)) === year - 1 && d.slice(5, 7) === '12')) throw new LineError(`日期 ${d} 不属于 ${year} 年的放假安排`);
  const name = rest.trim().replace(/^[,，]/, '').trim();
  if (!name) throw new LineError('请写明节日名称，如“国庆节”');
  const days = block(from, to ?? from);
  return kind === 'holiday' ? { name, holidays: days, workdays: [] } : { name, holidays: [], workdays: days };
}

/** Every line read; a date given twice (or as both a holiday and a workday) is refused at its second line. */
export function parseNotice(text: string, year: number): ParsedNotice {
  const entries: NoticeEntry[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  let ignored = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed) return;
    const isPlain = /^\d{4}-\d{2}-\d{2}/.test(trimmed);
    if (!isPlain && !/\d{1,2}月\d{1,2}日/.test(trimmed)) {
      ignored++;
      return;
    }
    try {
      const read = isPlain ? plainLine(trimmed, year) : noticeLine(trimmed, year);
      const found: NoticeEntry[] = [...read.holidays.map((date) => ({ date, kind: 'holiday' as const })), ...read.workdays.map((date) => ({ date, kind: 'workday' as const }))].map((e) => ({ ...e, name: read.name, line }));
      for (const e of found) {
        const earlier = seen.get(e.date);
        if (earlier === line) throw new LineError(`${shortDate(e.date)}既列为放假又列为上班`);
        if (earlier) throw new LineError(`${shortDate(e.date)}已在第 ${earlier} 行出现`);
        if (e.kind === 'workday' && ![0, 6].includes(weekdayOf(e.date))) throw new LineError(`${shortDate(e.date)}是${WEEKDAY_NAMES[weekdayOf(e.date)]}，调休上班日应是周六或周日`);
        seen.set(e.date, line);
      }
      entries.push(...found);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      errors.push(`第 ${line} 行：${err.message}`);
    }
  });
  entries.sort((a, b) => a.date.localeCompare(b.date));
  return { entries, errors, ignored };
}

/** The statutory holidays every year's arrangement has: a name missing from the entries is worth a second look. */
export const STATUTORY_HOLIDAYS = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];

export function missingHolidays(entries: readonly NoticeEntry[]): string[] {
  return STATUTORY_HOLIDAYS.filter((name) => !entries.some((e) => e.kind === 'holiday' && e.name.replace(/节$/, '').includes(name.replace(/节$/, ''))));
}
