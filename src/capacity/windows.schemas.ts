import { ValidationError } from '../shared/errors.js';
import { SPAN_RE, WEEKDAY_LABELS, parseSpan, type ServiceWindow } from './windows.js';

/** Rows the window form offers (a node rarely needs more than a few windows a day). */
export const FORM_ROWS = 8;
const MAX_CAPACITY = 1000;

/** One line of the form: a window on some weekdays. */
export interface WindowFormRow {
  label: string;
  start: string;
  end: string;
  capacity: string;
  days: string[];
  holidays: boolean;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const TIME_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const pad = (time: string) => (time.length === 4 ? `0${time}` : time);

/** The form's rows as posted (`rows[i][label]` …), tolerating anything a tampered form sends. */
export function formRowsOf(body: Record<string, unknown>): WindowFormRow[] {
  const posted = Array.isArray(body.rows) ? body.rows : body.rows && typeof body.rows === 'object' ? Object.values(body.rows) : [];
  return posted.slice(0, FORM_ROWS).map((raw): WindowFormRow => {
    const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const days = [r.days ?? []].flat().filter((d): d is string => typeof d === 'string');
    return { label: text(r.label), start: text(r.start), end: text(r.end), capacity: text(r.capacity), days, holidays: r.holidays === '1' || r.holidays === 'on' };
  });
}

const isBlank = (r: WindowFormRow) => !r.label && !r.start && !r.end && !r.capacity && r.days.length === 0;

/** Minutes a window covers on its start day's clock: [start, end), the end past midnight for an overnight one. */
function minutes(code: string): [number, number] {
  const span = parseSpan(code)!;
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return [m(span.start), m(span.end) + (span.overnight ? 1440 : 0)];
}

/** One row checked; its field messages go under `rows.<i>.<field>`. */
function rowWindows(r: WindowFormRow, i: number, errors: Record<string, string>): Omit<ServiceWindow, 'nodeServiceId'>[] {
  const at = (field: string, message: string) => void (errors[`rows.${i}.${field}`] ??= message);
  if (!r.label) at('label', '请填写时段名称，如“白天收样”');
  else if (r.label.length > 20) at('label', '时段名称不能超过 20 个字');
  if (!TIME_RE.test(r.start)) at('start', '开始时间应为 时:分，如 08:00');
  if (!TIME_RE.test(r.end)) at('end', '结束时间应为 时:分，如 20:00');
  else if (TIME_RE.test(r.start) && pad(r.start) === pad(r.end)) at('end', '结束时间不能与开始时间相同');
  if (!/^\d{1,4}$/.test(r.capacity) || Number(r.capacity) > MAX_CAPACITY) at('capacity', `名额应为 0 至 ${MAX_CAPACITY} 的整数`);
  const days = [...new Set(r.days)].filter((d) => /^[1-7]$/.test(d)).map(Number);
  if (days.length === 0 || days.length !== new Set(r.days).size) at('days', '请勾选该时段开放的星期');
  const code = `${pad(r.start)}-${pad(r.end)}`;
  if (Object.keys(errors).some((k) => k.startsWith(`rows.${i}.`)) || !SPAN_RE.test(code)) return [];
  return days.map((weekday) => ({ weekday, code, label: r.label, capacity: Number(r.capacity), onHolidays: r.holidays }));
}

/** The windows the form defines, one per weekday; overlapping windows on a weekday are refused. No rows: the standard half days. */
export function parseWindowForm(body: Record<string, unknown>): Omit<ServiceWindow, 'nodeServiceId'>[] {
  const rows = formRowsOf(body);
  const errors: Record<string, string> = {};
  const windows = rows.flatMap((r, i) => (isBlank(r) ? [] : rowWindows(r, i, errors)));
  for (let weekday = 1; weekday <= 7; weekday++) {
    const day = windows.filter((w) => w.weekday === weekday).map((w) => ({ w, range: minutes(w.code) }));
    for (const [a, b] of day.flatMap((x, i) => day.slice(i + 1).map((y) => [x, y] as const))) {
      if (a.range[0] < b.range[1] && b.range[0] < a.range[1]) {
        errors._form = `${WEEKDAY_LABELS[weekday - 1]}的“${a.w.label}”与“${b.w.label}”时间重叠，请调整`;
      }
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors, errors._form ?? '时段设置有误，请按提示修改');
  return windows;
}

/** Stored windows back as form rows: one row per window shared by several weekdays. */
export function windowsAsRows(windows: readonly ServiceWindow[]): WindowFormRow[] {
  const rows: WindowFormRow[] = [];
  for (const w of windows) {
    const [start, end] = w.code.split('-') as [string, string];
    const same = rows.find((r) => r.label === w.label && r.start === start && r.end === end && r.capacity === String(w.capacity) && r.holidays === w.onHolidays);
    if (same) same.days.push(String(w.weekday));
    else rows.push({ label: w.label, start, end, capacity: String(w.capacity), days: [String(w.weekday)], holidays: w.onHolidays });
  }
  return rows.sort((a, b) => a.start.localeCompare(b.start));
}
