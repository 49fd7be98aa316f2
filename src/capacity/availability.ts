import type { Db, Executor } from '../db/client.js';
import { dayInfo, datesInRange, type DayInfo } from '../calendar/workdays.js';
import { TtlCache } from '../shared/cache.js';
import { addDays, formatDateWithWeekday, shanghaiDate, weekdayOf, type Clock } from '../shared/time.js';
import { closuresInRange, ownWindowsOf, windowRowsInRange, type NodeServiceRow } from './capacity.repo.js';
import { HALF_DAY_WINDOWS, ownWindowsOn, windowLabel, type ServiceWindow, type WindowDef } from './windows.js';

export { HALF_DAY_WINDOWS, windowLabel, type WindowDef } from './windows.js';

export type BookingKind = 'calibration' | 'oil_test' | 'consultation';

/** The standard windows of an offering: half days with their capacity, or a consultation's timed slots. */
export function windowDefs(ns: Pick<NodeServiceRow, 'slotTimes' | 'capacityAm' | 'capacityPm' | 'slotCapacity'>, kind: BookingKind): WindowDef[] {
  if (kind !== 'consultation') return HALF_DAY_WINDOWS.map((w) => ({ ...w, capacity: w.key === 'am' ? ns.capacityAm : ns.capacityPm }));
  return (ns.slotTimes ?? []).map((t) => ({ key: t, label: t, start: t, capacity: ns.slotCapacity }));
}

export function describeWindow(date: string, window: string): string {
  return `${formatDateWithWeekday(date)} ${windowLabel(window)}`;
}

export type Unavailable = 'past' | 'beyond_horizon' | 'holiday' | 'closed' | 'full' | 'no_capacity';

export interface WindowAvailability extends WindowDef {
  date: string;
  capacity: number;
  used: number;
  free: number;
  /** Why the window cannot be booked, if it cannot. */
  unavailable?: Unavailable;
}

export interface DayAvailability {
  date: string;
  label: string;
  working: boolean;
  /** Saturday or Sunday (a make-up workday on a weekend is `working` nonetheless). */
  weekend: boolean;
  /** A statutory holiday (its name in `holidayName`). */
  holiday: boolean;
  holidayName: string;
  estimated: boolean;
  /** The node-service takes bookings on this day at all: a working day, or a day its own windows cover. */
  open: boolean;
  closedReason?: string;
  windows: WindowAvailability[];
}

export const UNAVAILABLE_MESSAGES: Record<Unavailable, string> = {
  past: '该时段已过，不能再预约',
  beyond_horizon: '超出可预约范围',
  holiday: '法定节假日或周末不办理',
  closed: '该网点当日暂停服务',
  full: '这个时段已约满',
  no_capacity: '该时段不提供此项服务',
};

export interface NodeServiceRef {
  ns: NodeServiceRow;
  kind: BookingKind;
}

export interface AvailabilityDeps {
  db: Db;
  clock: Clock;
  /** Days ahead a window can be booked. */
  horizonDays: number;
}

/** Today and the last bookable day (Shanghai days). */
function bookingRange(deps: AvailabilityDeps): { today: string; last: string } {
  const today = shanghaiDate(deps.clock.now());
  return { today, last: addDays(today, deps.horizonDays) };
}

/** Whether a window has begun. Shanghai is UTC+8 all year (no daylight saving), so plain arithmetic suffices —
 *  and this runs for every window of every day shown, where a time-zone parse per call would dominate the page. */
function hasStarted(date: string, start: string, nowMs: number): boolean {
  const startMs = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), Number(start.slice(0, 2)) - 8, Number(start.slice(3, 5)));
  return startMs <= nowMs;
}

/** What one day of one node-service looks like, given the moment, the day's calendar, a closure and the windows' use. */
interface DayContext {
  today: string;
  last: string;
  nowMs: number;
  /** Open for bookings by the calendar (or by the node-service's own windows, which already follow it). */
  open: boolean;
  closed: boolean;
}

/** Why a window cannot be booked, in order of precedence; undefined when it can. */
function unavailableReason(day: DayContext, date: string, def: WindowDef, capacity: number, taken: number): Unavailable | undefined {
  if (date < day.today || hasStarted(date, def.start, day.nowMs)) return 'past';
  if (date > day.last) return 'beyond_horizon';
  if (!day.open) return 'holiday';
  if (day.closed) return 'closed';
  if (capacity === 0) return 'no_capacity';
  if (taken >= capacity) return 'full';
  return undefined;
}

type WindowRow = Awaited<ReturnType<typeof windowRowsInRange>>[number];
type ClosureRow = Awaited<ReturnType<typeof closuresInRange>>[number];

/**
 * The windows of a node-service on a date: its own windows when it has any (open only on the days they cover),
 * otherwise the standard ones, open on working days.
 */
function windowsOn(ref: NodeServiceRef, own: readonly ServiceWindow[], date: string, info: DayInfo): { defs: WindowDef[]; open: boolean } {
  if (own.length > 0 && ref.kind !== 'consultation') {
    const defs = ownWindowsOn(own, date, info);
    return { defs, open: defs.length > 0 };
  }
  return { defs: windowDefs(ref.ns, ref.kind), open: info.working };
}

/** One node-service's days: each window's capacity (its row, or the window's own), use and bookability. */
function daysOf(ref: NodeServiceRef, own: readonly ServiceWindow[], dates: string[], at: Omit<DayContext, 'open' | 'closed'>, closureRows: ClosureRow[], used: Map<string, WindowRow>): DayAvailability[] {
  const { ns } = ref;
  return dates.map((date): DayAvailability => {
    const info = dayInfo(date);
    const { defs, open } = windowsOn(ref, own, date, info);
    const closure = closureRows.find((c) => c.nodeId === ns.nodeId && c.startDate <= date && c.endDate >= date);
    const day: DayContext = { ...at, open, closed: !!closure };
    const windows = defs.map((def): WindowAvailability => {
      const row = used.get(`${ns.id}|${date}|${def.key}`);
      const capacity = row ? row.capacity : def.capacity;
      const taken = row?.used ?? 0;
      const unavailable = unavailableReason(day, date, def, capacity, taken);
      return { ...def, date, capacity, used: taken, free: Math.max(0, capacity - taken), ...(unavailable ? { unavailable } : {}) };
    });
    return {
      date,
      label: formatDateWithWeekday(date),
      working: info.working,
      weekend: [0, 6].includes(weekdayOf(date)),
      holiday: info.holiday,
      holidayName: info.holiday ? info.name : '',
      estimated: info.estimated,
      open,
      ...(closure ? { closedReason: closure.reason } : {}),
      windows,
    };
  });
}

/** Day-by-day windows with capacity, use and bookability for several node-services: three queries in all. */
async function forNodeServices(deps: AvailabilityDeps, refs: NodeServiceRef[], from: string, to: string, ex: Executor = deps.db): Promise<Map<number, DayAvailability[]>> {
  const { today, last } = bookingRange(deps);
  const nowMs = deps.clock.now().getTime();
  const nodeIds = [...new Set(refs.map((r) => r.ns.nodeId))];
  const ids = refs.map((r) => r.ns.id);
  const [closureRows, windowRows, ownRows] = await Promise.all([closuresInRange(ex, nodeIds, from, to), windowRowsInRange(ex, ids, from, to), ownWindowsOf(ex, ids)]);
  const used = new Map(windowRows.map((w) => [`${w.nodeServiceId}|${w.date}|${w.window}`, w]));
  const dates = datesInRange(from, to);
  return new Map(refs.map((ref) => [ref.ns.id, daysOf(ref, ownRows.filter((r) => r.nodeServiceId === ref.ns.id), dates, { today, last, nowMs }, closureRows, used)]));
}

/**
 * The next `count` windows with at least `units` free, per node-service, within the booking horizon — looked up
 * two weeks at a time, so the usual case (free windows this week) reads and computes only those two weeks.
 */
async function nextFree(deps: AvailabilityDeps, refs: NodeServiceRef[], count: number, units = 1): Promise<Map<number, WindowAvailability[]>> {
  const { today, last } = bookingRange(deps);
  const found = new Map<number, WindowAvailability[]>(refs.map((r) => [r.ns.id, []]));
  const foundFor = (id: number) => found.get(id) ?? [];
  let pending = refs;
  for (let from = today; pending.length > 0 && from <= last; from = addDays(from, 14)) {
    const to = addDays(from, 13) < last ? addDays(from, 13) : last;
    for (const [id, days] of await forNodeServices(deps, pending, from, to)) {
      const list = foundFor(id);
      for (const w of days.flatMap((d) => d.windows)) {
        if (list.length >= count) break;
        if (!w.unavailable && w.free >= units) list.push(w);
      }
    }
    pending = pending.filter((r) => foundFor(r.ns.id).length < count);
  }
  return found;
}

/**
 * How long what a refusal shows (the next free windows, the form's two weeks) is reused. When a popular window
 * fills, everyone who loses it asks the same question within the same second: one answer per second per process keeps
 * each refusal cheap under a burst (bench:booking). Only messages use it, never a decision: the conditional take under
 * the window's lock decides, and the refused window itself is shown as the refusal found it (read fresh).
 */
export const REFUSAL_VIEW_TTL_MS = 1000;

/** Capacity as the booking pages and the catalog see it: the booking horizon, windows by day, the next free ones. */
export function makeAvailability(deps: AvailabilityDeps) {
  const afterRefusal = new TtlCache<unknown>(REFUSAL_VIEW_TTL_MS, 200);
  const check = async (ref: NodeServiceRef, date: string, window: string, ex: Executor = deps.db): Promise<WindowAvailability | undefined> => {
    const days = await forNodeServices(deps, [ref], date, date, ex);
    return days.get(ref.ns.id)?.[0]?.windows.find((w) => w.key === window);
  };
  return {
    bookingRange: () => bookingRange(deps),
    forNodeServices: (refs: NodeServiceRef[], from: string, to: string, ex?: Executor) => forNodeServices(deps, refs, from, to, ex),
    nextFree: (refs: NodeServiceRef[], count: number, units?: number) => nextFree(deps, refs, count, units),
    /** One window as it stands now: for a clear message before (and after) the atomic take. */
    check,
    /** For the message of a refusal only (see REFUSAL_VIEW_TTL_MS): the next free windows as they stood at most a second ago. */
    afterRefusal: {
      nextFree: (refs: NodeServiceRef[], count: number, units = 1) =>
        afterRefusal.get(`next|${refs.map((r) => r.ns.id).join(',')}|${count}|${units}`, () => nextFree(deps, refs, count, units)),
    },
  };
}

export type Availability = ReturnType<typeof makeAvailability>;
