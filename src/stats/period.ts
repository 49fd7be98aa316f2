import { ValidationError } from '../shared/errors.js';
import { addDays, dayjs, isIsoDate, shanghaiDate, shanghaiStartOfDay, type Clock } from '../shared/time.js';
import type { Period } from './stats.repo.js';

/** The periods a dashboard offers: relative to today, or custom dates. */
export const PERIOD_PRESET_KEYS = ['month', 'quarter', 'year', 'custom'] as const;
export type PeriodPreset = (typeof PERIOD_PRESET_KEYS)[number];

export type DashboardPeriod = Period & { preset: PeriodPreset; label: string };

export interface PeriodQuery {
  period?: string;
  from?: string;
  to?: string;
}

/** Longest custom period, in years. */
const MAX_YEARS = 5;

const isPreset = (value: string | undefined): value is PeriodPreset => (PERIOD_PRESET_KEYS as readonly (string | undefined)[]).includes(value);

/** Custom dates, checked: both present, in order, at most MAX_YEARS apart. */
function customRange(query: PeriodQuery): { from: string; to: string } {
  const { from, to } = query;
  const errors: Record<string, string> = {};
  if (!from || !isIsoDate(from)) errors.from = '请选择开始日期';
  if (!to || !isIsoDate(to)) errors.to = '请选择结束日期';
  if (from && to && !errors.from && !errors.to) {
    if (from > to) errors.to = '结束日期不能早于开始日期';
    else if (dayjs(to).diff(dayjs(from), 'year', true) > MAX_YEARS) errors.to = `统计区间不能超过 ${MAX_YEARS} 年`;
  }
  if (!from || !to || Object.keys(errors).length) throw new ValidationError(errors, '统计区间有误');
  return { from, to };
}

/** A preset period: from the start of this month, quarter or year up to today (Shanghai days, "YYYY-MM-DD"). */
function presetRange(today: string, preset: Exclude<PeriodPreset, 'custom'>): { from: string; to: string } {
  const quarterMonth = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1;
  const from = preset === 'month' ? `${today.slice(0, 7)}-01` : preset === 'quarter' ? `${today.slice(0, 4)}-${String(quarterMonth).padStart(2, '0')}-01` : `${today.slice(0, 4)}-01-01`;
  return { from, to: today };
}

/** The period from the query: a preset relative to today (the year when absent), or custom dates (validated). */
export function periodOf(clock: Clock, query: PeriodQuery): DashboardPeriod {
  const preset: PeriodPreset = isPreset(query.period) ? query.period : 'year';
  const { from, to } = preset === 'custom' ? customRange(query) : presetRange(shanghaiDate(clock.now()), preset);
  return { preset, from, to, start: shanghaiStartOfDay(from), end: shanghaiStartOfDay(addDays(to, 1)), label: `${from} 至 ${to}` };
}
