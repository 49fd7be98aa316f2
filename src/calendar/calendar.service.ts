import { assertCan, type Principal } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent } from '../events/record.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import * as repo from './calendar.repo.js';
import { arrangementSchema, FIRST_YEAR, yearsAhead, type ArrangementInput } from './calendar.schemas.js';
import { arrangementLines, groupArrangement, YEAR_SOURCE_LABELS } from './calendar.view.js';
import { missingHolidays, parseNotice, type NoticeEntry } from './notice.js';
import { installCalendarOverrides, yearArrangement, yearSource } from './workdays.js';

export interface CalendarDeps {
  db: Db;
  clock: Clock;
  logger?: Logger;
  /** How often a process re-reads the entries (other processes' changes); 0 = never. */
  refreshMs?: number;
}

/** Reads every entered day into the in-process calendar. */
async function refresh(db: Db): Promise<void> {
  const rows = await repo.allEnteredDays(db);
  installCalendarOverrides({ days: new Map(rows.map((r) => [r.date, { kind: r.kind, name: r.name }])), years: new Set(rows.map((r) => r.year)) });
}

const thisYear = (clock: Clock) => Number(shanghaiDate(clock.now()).slice(0, 4));

/** The years an arrangement can be entered for: the platform's history and the next few years. */
function yearRange(clock: Clock): number[] {
  const years: number[] = [];
  for (let y = FIRST_YEAR; y <= thisYear(clock) + yearsAhead; y++) years.push(y);
  return years;
}

function checkYear(clock: Clock, year: number): void {
  if (!yearRange(clock).includes(year)) throw new ValidationError({ year: `请选择 ${FIRST_YEAR} 至 ${thisYear(clock) + yearsAhead} 年之间的年份` });
}

const summaryOf = (entries: { kind: string }[]) => ({ holidays: entries.filter((e) => e.kind === 'holiday').length, workdays: entries.filter((e) => e.kind === 'workday').length });

/** Parses the form; every line that cannot be read is one message under the text field. */
async function readArrangement(deps: CalendarDeps, input: unknown): Promise<{ v: ArrangementInput; entries: NoticeEntry[]; ignored: number }> {
  const v = parseInput(arrangementSchema, input);
  checkYear(deps.clock, v.year);
  const parsed = parseNotice(v.text, v.year);
  const errors = [...parsed.errors];
  for (const taken of await repo.takenByOtherYears(deps.db, parsed.entries.map((e) => e.date), v.year)) errors.push(`${taken.date} 已录入在 ${taken.year} 年的放假安排中`);
  if (errors.length === 0 && !parsed.entries.some((e) => e.kind === 'holiday')) errors.push('没有读到任何放假日期。请粘贴通知中各节日的放假安排，每个节日一行。');
  if (errors.length) throw new ValidationError({ text: errors.join('\n') }, `有 ${errors.length} 处需要修改`);
  return { v, entries: parsed.entries, ignored: parsed.ignored };
}

/** The calendar page of a year: where its calendar comes from, its days off and make-up workdays, the form. */
async function yearPage(deps: CalendarDeps, user: Principal, year: number | undefined) {
  assertCan(user, 'calendar.manage');
  const now = thisYear(deps.clock);
  // The year an admin comes for: the next one, unless the package already has it (then this one).
  const shown = year ?? (yearSource(now + 1) === 'package' ? now : now + 1);
  if (!yearRange(deps.clock).includes(shown)) throw new NotFoundError('该年份不在可录入的范围内。');
  const entered = await repo.daysOfYear(deps.db, shown);
  const current = yearArrangement(shown);
  return {
    year: shown,
    years: yearRange(deps.clock).map((y) => ({ year: y, source: yearSource(y), label: YEAR_SOURCE_LABELS[yearSource(y)] })),
    source: yearSource(shown),
    sourceLabel: YEAR_SOURCE_LABELS[yearSource(shown)],
    entry: entered[0] ? { source: entered[0].source, by: entered[0].enteredByName, at: entered[0].enteredAt } : null,
    groups: groupArrangement(current.holidays, current.workdays),
    text: arrangementLines(entered),
  };
}

/** What the lines say, before anything is saved. */
async function previewArrangement(deps: CalendarDeps, user: Principal, input: unknown) {
  assertCan(user, 'calendar.manage');
  const { v, entries, ignored } = await readArrangement(deps, input);
  const holidays = entries.filter((e) => e.kind === 'holiday');
  const workdays = entries.filter((e) => e.kind === 'workday');
  return { year: v.year, groups: groupArrangement(holidays, workdays), missing: missingHolidays(entries), ignored, ...summaryOf(entries) };
}

/** Saves a year's arrangement: replaces what was entered for the year, audited with before and after. */
async function saveArrangement(deps: CalendarDeps, user: Principal, input: unknown) {
  assertCan(user, 'calendar.manage');
  const { v, entries } = await readArrangement(deps, input);
  await inTransaction(deps.db, async (tx) => {
    const before = await repo.daysOfYear(tx, v.year);
    await repo.replaceYear(tx, v.year, entries, v.source, user.id);
    const after = summaryOf(entries);
    await recordEvent(tx, {
      actorUserId: user.id,
      entityType: 'calendar',
      entityId: v.year,
      action: 'calendar.entered',
      note: `${v.year} 年放假安排（${v.source}）：放假 ${after.holidays} 天，调休上班 ${after.workdays} 天`,
      data: { before: before.map((d) => ({ date: d.date, kind: d.kind, name: d.name })), after: entries.map((e) => ({ date: e.date, kind: e.kind, name: e.name })), source: v.source },
    });
  });
  await refresh(deps.db);
  return { year: v.year, ...summaryOf(entries) };
}

/** Withdraws an entered year: the package (or the estimate) answers for it again. */
async function removeArrangement(deps: CalendarDeps, user: Principal, year: number) {
  assertCan(user, 'calendar.manage');
  checkYear(deps.clock, year);
  await inTransaction(deps.db, async (tx) => {
    const before = await repo.daysOfYear(tx, year);
    if (before.length === 0) throw new ConflictError(`${year} 年没有录入的放假安排。`);
    await repo.replaceYear(tx, year, [], '', user.id);
    await recordEvent(tx, { actorUserId: user.id, entityType: 'calendar', entityId: year, action: 'calendar.removed', note: `撤回 ${year} 年录入的放假安排（${before[0]!.source}）`, data: { before: before.map((d) => ({ date: d.date, kind: d.kind, name: d.name })) } });
  });
  await refresh(deps.db);
}

/**
 * The official holiday arrangements the platform admin enters, and the in-process copy every working-day answer
 * reads. Why a copy instead of asking the database: due dates, queues, availability grids and the seed call the
 * working-day functions synchronously in loops (hundreds of dates per page); the entries are a few dozen rows that
 * change once a year. The copy is loaded when the app starts (requests wait for it), reloaded by the process that
 * made a change right after its commit, and by every other process on a timer (`refreshMs`, a minute by default) —
 * so a year entered on one worker is in force on all of them within a minute.
 */
export function makeCalendarService(deps: CalendarDeps) {
  const load = () =>
    refresh(deps.db).catch((err: unknown) => {
      // The package and the estimate still answer; the next refresh tries again.
      deps.logger?.warn({ err }, 'calendar entries could not be loaded');
    });
  const ready = load();
  const timer = deps.refreshMs === 0 ? undefined : setInterval(() => void load(), deps.refreshMs ?? 60_000);
  timer?.unref();
  return {
    ready,
    refresh: () => refresh(deps.db),
    stop: () => timer && clearInterval(timer),
    yearPage: (user: Principal, year: number | undefined) => yearPage(deps, user, year),
    preview: (user: Principal, input: unknown) => previewArrangement(deps, user, input),
    save: (user: Principal, input: unknown) => saveArrangement(deps, user, input),
    remove: (user: Principal, year: number) => removeArrangement(deps, user, year),
  };
}

export type CalendarService = ReturnType<typeof makeCalendarService>;
