import { ValidationError } from '../shared/errors.js';
import { addDays, instantOf, isIsoDate, shanghaiDate, shanghaiTime } from '../shared/time.js';
import { GRID_MINUTES } from './domain.js';

/*
 * Time on an instrument, in Asia/Shanghai (UTC+8 all year, no daylight saving: a wall-clock time converts to one
 * instant by a fixed offset). Bookings sit on the 30-minute grid, inside one working day's opening hours.
 */

export const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const ON_GRID_RE = /^([01]\d|2[0-3]):(00|30)$/;

export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function hhmmOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Every grid time from `from` to `until` inclusive ('08:30', '09:00' … '17:00'). */
export function gridTimes(from: string, until: string): string[] {
  const out: string[] = [];
  for (let m = minutesOf(from); m <= minutesOf(until); m += GRID_MINUTES) out.push(hhmmOf(m));
  return out;
}

export interface BookingRules {
  openFrom: string;
  openUntil: string;
  minNoticeHours: number;
  maxHours: number;
  horizonDays: number;
}

/** Whether the node works on a date, and if not why (statutory holiday, weekend, the node's own closure). */
export type DayCheck = { working: true } | { working: false; reason: string };

export interface TimeRequest {
  date: string;
  startTime: string;
  endTime: string;
}

export interface TimeContext {
  now: Date;
  dayCheck: (date: string) => DayCheck;
}

/** The last bookable date: today plus the instrument's horizon. */
export function lastBookableDate(now: Date, horizonDays: number): string {
  return addDays(shanghaiDate(now), horizonDays);
}

/** The earliest instant a booking may start: now plus the minimum notice, rounded up to the grid. */
export function earliestStart(now: Date, minNoticeHours: number): Date {
  const grid = GRID_MINUTES * 60_000;
  return new Date(Math.ceil((now.getTime() + minNoticeHours * 3600_000) / grid) * grid);
}

function formatInstant(at: Date): string {
  return `${shanghaiDate(at)} ${shanghaiTime(at)}`;
}

/**
 * Checks a requested time range against the instrument's rules and returns its instants, or throws a ValidationError
 * with one specific message next to the field at fault (date, startTime, endTime). Every refusal names what to change.
 */
export function checkTimeRequest(req: TimeRequest, rules: BookingRules, ctx: TimeContext): { startsAt: Date; endsAt: Date } {
  const today = shanghaiDate(ctx.now);
  if (!isIsoDate(req.date)) throw new ValidationError({ date: '请选择预约日期（年-月-日）' });
  const errors: Record<string, string> = {};
  if (!ON_GRID_RE.test(req.startTime)) errors.startTime = HHMM_RE.test(req.startTime) ? '开始时间须为整点或半点（如 09:00、09:30）' : '请选择开始时间';
  if (!ON_GRID_RE.test(req.endTime)) errors.endTime = HHMM_RE.test(req.endTime) ? '结束时间须为整点或半点（如 11:00、11:30）' : '请选择结束时间';
  if (req.date < today) errors.date = '不能预约已经过去的日期';
  const last = lastBookableDate(ctx.now, rules.horizonDays);
  if (req.date > last) errors.date = `最远只能预约 ${rules.horizonDays} 天内的时段（至 ${last}）`;
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const day = ctx.dayCheck(req.date);
  if (!day.working) throw new ValidationError({ date: `${req.date} ${day.reason}，该设备当天不开放预约，请选择工作日` });
  const start = minutesOf(req.startTime);
  const end = minutesOf(req.endTime);
  if (end < start) throw new ValidationError({ endTime: '预约不能跨越午夜：结束时间早于开始时间。跨天使用请按天分别预约' });
  if (end === start) throw new ValidationError({ endTime: '结束时间须晚于开始时间' });
  const hours = `${rules.openFrom}–${rules.openUntil}`;
  if (start < minutesOf(rules.openFrom) || start >= minutesOf(rules.openUntil)) errors.startTime = `开始时间不在开放时间内（${hours}）`;
  if (end > minutesOf(rules.openUntil)) errors.endTime = `结束时间超出开放时间（${hours}）`;
  if (Object.keys(errors).length) throw new ValidationError(errors);
  if (end - start > rules.maxHours * 60) throw new ValidationError({ endTime: `单次最多预约 ${rules.maxHours} 小时，请缩短时段或分次预约` });

  const startsAt = instantOf(req.date, req.startTime);
  const endsAt = instantOf(req.date, req.endTime);
  if (startsAt.getTime() <= ctx.now.getTime()) throw new ValidationError({ startTime: '开始时间已过，请选择之后的时段' });
  const earliest = earliestStart(ctx.now, rules.minNoticeHours);
  if (startsAt < earliest) {
    throw new ValidationError({ startTime: `须至少提前 ${rules.minNoticeHours} 小时预约，当前最早可约 ${formatInstant(earliest)} 以后的时段` });
  }
  return { startsAt, endsAt };
}
