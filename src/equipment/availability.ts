import { closuresInRange } from '../capacity/capacity.repo.js';
import type { Executor } from '../db/client.js';
import { datesInRange, dayInfo } from '../calendar/workdays.js';
import { addDays, shanghaiDate, weekdayOf, instantOf } from '../shared/time.js';
import { GRID_MINUTES } from './domain.js';
import { holdingRows } from './equipment.repo.js';
import { earliestStart, hhmmOf, lastBookableDate, minutesOf, type BookingRules, type DayCheck } from './time-rules.js';

/**
 * What is free on an instrument: the node's working days (the national calendar from chinese-days plus the node's
 * closures), the instrument's opening hours, and the rows that hold it. Read-only: a booking is decided by the
 * database's exclusion constraint at insert time, never by this picture.
 */

/** Working days of a node between two dates, with the reason of each day it does not work. */
export async function nodeDayCheck(ex: Executor, nodeId: number, from: string, to: string): Promise<(date: string) => DayCheck> {
  const closures = await closuresInRange(ex, [nodeId], from, to);
  return (date: string): DayCheck => {
    const closure = closures.find((c) => c.startDate <= date && c.endDate >= date);
    if (closure) return { working: false, reason: `网点暂停服务（${closure.reason}）` };
    if (dayInfo(date).working) return { working: true };
    const weekday = weekdayOf(date);
    return { working: false, reason: weekday === 0 || weekday === 6 ? '是周末' : '是法定节假日' };
  };
}

export interface Interval {
  start: number; // minutes from midnight
  end: number;
}

export interface BusyInterval extends Interval {
  kind: 'booking' | 'maintenance';
  /** The viewer's own company holds it. */
  mine: boolean;
}

export interface DaySchedule {
  date: string;
  working: boolean;
  reason?: string;
  busy: { from: string; to: string; kind: 'booking' | 'maintenance'; mine: boolean }[];
  free: { from: string; to: string }[];
}

type Held = Awaited<ReturnType<typeof holdingRows>>[number];

function busyOn(date: string, rows: Held[], viewerEnterpriseId: number | null): BusyInterval[] {
  const dayStart = instantOf(date, '00:00').getTime();
  const dayEnd = dayStart + 86_400_000;
  return rows
    .filter((r) => r.startsAt.getTime() < dayEnd && r.endsAt.getTime() > dayStart)
    .map((r) => ({
      start: Math.max(0, Math.round((r.startsAt.getTime() - dayStart) / 60_000)),
      end: Math.min(24 * 60, Math.round((r.endsAt.getTime() - dayStart) / 60_000)),
      kind: r.kind === 'maintenance' ? ('maintenance' as const) : ('booking' as const),
      mine: viewerEnterpriseId !== null && r.enterpriseId === viewerEnterpriseId,
    }));
}

/** The gaps of [open, close) not covered by busy intervals, at least one grid step long. */
export function freeIntervals(open: number, close: number, busy: Interval[]): Interval[] {
  const sorted = [...busy].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  let cursor = open;
  for (const b of sorted) {
    if (b.end <= cursor) continue;
    if (b.start >= close) break;
    if (b.start > cursor) out.push({ start: cursor, end: Math.min(b.start, close) });
    cursor = Math.max(cursor, b.end);
  }
  if (cursor < close) out.push({ start: cursor, end: close });
  return out.filter((i) => i.end - i.start >= GRID_MINUTES);
}

/** The week (or any run of days) of an instrument as its booking page shows it: busy and free times per day. */
export function schedule(dates: string[], rules: BookingRules, dayCheck: (date: string) => DayCheck, rows: Held[], now: Date, viewerEnterpriseId: number | null): DaySchedule[] {
  const earliest = earliestStart(now, rules.minNoticeHours);
  return dates.map((date) => {
    const check = dayCheck(date);
    if (!check.working) return { date, working: false, reason: check.reason, busy: [], free: [] };
    const busy = busyOn(date, rows, viewerEnterpriseId);
    const [open, close] = [minutesOf(rules.openFrom), minutesOf(rules.openUntil)];
    // What lies outside the opening hours (a maintenance block over several days) is not shown.
    const shown = busy.filter((b) => b.end > open && b.start < close).map((b) => ({ ...b, start: Math.max(b.start, open), end: Math.min(b.end, close) }));
    const dayStart = instantOf(date, '00:00').getTime();
    const bookableFrom = Math.max(minutesOf(rules.openFrom), Math.ceil((earliest.getTime() - dayStart) / 60_000 / GRID_MINUTES) * GRID_MINUTES);
    return {
      date,
      working: true,
      busy: shown.map((b) => ({ from: hhmmOf(b.start), to: hhmmOf(b.end), kind: b.kind, mine: b.mine })),
      free: freeIntervals(bookableFrom, minutesOf(rules.openUntil), busy).map((f) => ({ from: hhmmOf(f.start), to: hhmmOf(f.end) })),
    };
  });
}

export interface FreeSlot {
  date: string;
  startTime: string;
  endTime: string;
}

/**
 * The next free slots of a given length from an instant on, one per working day (the first that fits), up to `count`:
 * what a refused booking offers instead.
 */
export function nextFreeSlots(rules: BookingRules, dayCheck: (date: string) => DayCheck, rows: Held[], now: Date, after: Date, minutes: number, count = 4): FreeSlot[] {
  const from = new Date(Math.max(after.getTime(), earliestStart(now, rules.minNoticeHours).getTime()));
  const last = lastBookableDate(now, rules.horizonDays);
  const out: FreeSlot[] = [];
  for (const date of datesInRange(shanghaiDate(from), last)) {
    if (out.length >= count) break;
    if (!dayCheck(date).working) continue;
    const dayStart = instantOf(date, '00:00').getTime();
    const notBefore = Math.ceil((from.getTime() - dayStart) / 60_000 / GRID_MINUTES) * GRID_MINUTES;
    const busy = busyOn(date, rows, null);
    for (const gap of freeIntervals(Math.max(minutesOf(rules.openFrom), notBefore), minutesOf(rules.openUntil), busy)) {
      if (gap.end - gap.start >= minutes) {
        out.push({ date, startTime: hhmmOf(gap.start), endTime: hhmmOf(gap.start + minutes) });
        break;
      }
    }
  }
  return out;
}

/** Holding rows from now to the end of the instrument's horizon (one query for a page or a refusal). */
export async function heldUntilHorizon(ex: Executor, equipmentId: number, now: Date, horizonDays: number, from?: Date) {
  const start = from ?? instantOf(shanghaiDate(now), '00:00');
  return holdingRows(ex, equipmentId, start, instantOf(addDays(lastBookableDate(now, horizonDays), 1), '00:00'));
}

