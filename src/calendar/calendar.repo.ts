import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { calendarDays, users } from '../db/schema.js';
import type { NoticeEntry } from './notice.js';

/** Every entered day (a few dozen a year): the in-process calendar is rebuilt from these. */
export async function allEnteredDays(ex: Executor) {
  return ex.select({ date: calendarDays.date, kind: calendarDays.kind, name: calendarDays.name, year: calendarDays.year }).from(calendarDays);
}

/** A year's entered days with who entered them, when and from which notice. */
export async function daysOfYear(ex: Executor, year: number) {
  return ex
    .select({ date: calendarDays.date, kind: calendarDays.kind, name: calendarDays.name, source: calendarDays.source, enteredAt: calendarDays.enteredAt, enteredByName: users.name })
    .from(calendarDays)
    .innerJoin(users, eq(users.id, calendarDays.enteredBy))
    .where(eq(calendarDays.year, year))
    .orderBy(asc(calendarDays.date));
}

/** Dates of `dates` already entered under another year's arrangement. */
export async function takenByOtherYears(ex: Executor, dates: string[], year: number) {
  if (dates.length === 0) return [];
  const rows = await ex.select({ date: calendarDays.date, year: calendarDays.year }).from(calendarDays).where(inArray(calendarDays.date, dates));
  return rows.filter((r) => r.year !== year);
}

/** Replaces a year's arrangement with new entries (inside the caller's transaction). */
export async function replaceYear(ex: Executor, year: number, entries: NoticeEntry[], source: string, enteredBy: number): Promise<void> {
  await ex.delete(calendarDays).where(eq(calendarDays.year, year));
  if (entries.length === 0) return;
  await ex.insert(calendarDays).values(entries.map((e) => ({ date: e.date, kind: e.kind, name: e.name, year, source, enteredBy })));
}
