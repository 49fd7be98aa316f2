import type { Db, Executor } from '../db/client.js';
import { dayInfo, datesInRange } from '../calendar/workdays.js';
import { addDays, formatDateWithWeekday, shanghaiDate, weekdayOf, type Clock } from '../shared/time.js';
import { closuresInRange, windowRowsInRange, type NodeServiceRow } from './capacity.repo.js';

export type BookingKind = 'calibration' | 'oil_test' | 'consultation';

export interface WindowDef {
  key: string;
  label: string;
  /** Local start time; a window that has started can no longer be booked. */
  start: string;
}

export const HALF_DAY_WINDOWS: WindowDef[] = [
  { key: 'am', label: '上午', start: '08:30' },
  { key: 'pm', label: '下午', start: '13:30' },
];

export function windowDefs(ns: Pick<NodeServiceRow, 'slotTimes'>, kind: BookingKind): WindowDef[] {
  if (kind !== 'consultation') return HALF_DAY_WINDOWS;
  return (ns.slotTimes ?? []).map((t) => ({ key: t, label: t, start: t }));
}

export function windowLabel(window: string): string {
  return HALF_DAY_WINDOWS.find((w) => w.key === window)?.label ?? window;
}

export function describeWindow(date: string, window: string): string {
  return `${formatDateWithWeekday(date)} ${windowLabel(window)}`;
}

export function defaultCapacity(ns: Pick<NodeServiceRow, 'capacityAm' | 'capacityPm' | 'slotCapacity'>, kind: BookingKind, window: string): number {
  if (kind === 'consultation') return ns.slotCapacity;
  return window === 'am' ? ns.capacityAm : ns.capacityPm;
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
  estimated: boolean;
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

export function makeAvailability(deps: { db: Db; clock: Clock; horizonDays: number }) {
  const { db, clock, horizonDays } = deps;

  function bookingRange(): { today: string; last: string } {
    const today = shanghaiDate(clock.now());
    return { today, last: addDays(today, horizonDays) };
  }

  /** Whether a window has begun. Shanghai is UTC+8 all year (no daylight saving), so plain arithmetic suffices —
   *  and this runs for every window of every day shown, where a time-zone parse per call would dominate the page. */
  function hasStarted(date: string, start: string, nowMs: number): boolean {
    const startMs = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), Number(start.slice(0, 2)) - 8, Number(start.slice(3, 5)));
    return startMs <= nowMs;
  }

  /** Day-by-day windows with capacity, use and bookability for several node-services: two queries in all. */
  async function forNodeServices(refs: NodeServiceRef[], from: string, to: string, ex: Executor = db): Promise<Map<number, DayAvailability[]>> {
    const { today, last } = bookingRange();
    const nowMs = clock.now().getTime();
    const nodeIds = [...new Set(refs.map((r) => r.ns.nodeId))];
    const [closureRows, windowRows] = await Promise.all([
      closuresInRange(ex, nodeIds, from, to),
      windowRowsInRange(ex, refs.map((r) => r.ns.id), from, to),
    ]);
    const used = new Map(windowRows.map((w) => [`${w.nodeServiceId}|${w.date}|${w.window}`, w]));
    const dates = datesInRange(from, to);
    const result = new Map<number, DayAvailability[]>();
    for (const { ns, kind } of refs) {
      const defs = windowDefs(ns, kind);
      const days = dates.map((date): DayAvailability => {
        const info = dayInfo(date);
        const closure = closureRows.find((c) => c.nodeId === ns.nodeId && c.startDate <= date && c.endDate >= date);
        const windows = defs.map((def): WindowAvailability => {
          const row = used.get(`${ns.id}|${date}|${def.key}`);
          const capacity = row ? row.capacity : defaultCapacity(ns, kind, def.key);
          const taken = row?.used ?? 0;
          let unavailable: Unavailable | undefined;
          if (date < today || hasStarted(date, def.start, nowMs)) unavailable = 'past';
          else if (date > last) unavailable = 'beyond_horizon';
          else if (!info.working) unavailable = 'holiday';
          else if (closure) unavailable = 'closed';
          else if (capacity === 0) unavailable = 'no_capacity';
          else if (taken >= capacity) unavailable = 'full';
          return { ...def, date, capacity, used: taken, free: Math.max(0, capacity - taken), ...(unavailable ? { unavailable } : {}) };
        });
        return {
          date,
          label: formatDateWithWeekday(date),
          working: info.working,
          weekend: [0, 6].includes(weekdayOf(date)),
          estimated: info.estimated,
          ...(closure ? { closedReason: closure.reason } : {}),
          windows,
        };
      });
      result.set(ns.id, days);
    }
    return result;
  }

  return {
    bookingRange,

    forNodeServices,

    /**
     * The next `count` windows with at least `units` free, per node-service, within the booking horizon — looked up
     * two weeks at a time, so the usual case (free windows this week) reads and computes only those two weeks.
     */
    async nextFree(refs: NodeServiceRef[], count: number, units = 1): Promise<Map<number, WindowAvailability[]>> {
      const { today, last } = bookingRange();
      const out = new Map<number, WindowAvailability[]>(refs.map((r) => [r.ns.id, []]));
      let pending = refs;
      for (let from = today; pending.length > 0 && from <= last; from = addDays(from, 14)) {
        const to = addDays(from, 13) < last ? addDays(from, 13) : last;
        const days = await forNodeServices(pending, from, to);
        for (const [id, list] of days) {
          const found = out.get(id)!;
          for (const w of list.flatMap((d) => d.windows)) {
            if (found.length >= count) break;
            if (!w.unavailable && w.free >= units) found.push(w);
          }
        }
        pending = pending.filter((r) => out.get(r.ns.id)!.length < count);
      }
      return out;
    },

    /** One window as it stands now: for a clear message before (and after) the atomic take. */
    async check(ref: NodeServiceRef, date: string, window: string, ex: Executor = db): Promise<WindowAvailability | undefined> {
      const days = await forNodeServices([ref], date, date, ex);
      return days.get(ref.ns.id)?.[0]?.windows.find((w) => w.key === window);
    },
  };
}

export type Availability = ReturnType<typeof makeAvailability>;
