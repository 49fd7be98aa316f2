import { printedLimitValue, type LimitDigits } from './limit-digits.js';
/**
 * Judging a measured value against a grade's specification limit. A value equal to a limit meets it (ISO 8217 and
 * the GB fuel standards state limits as "max"/"min" inclusive). Rounding of the result to the limit's precision
 * (ISO 4259) is the tester's job before entry.
 */

export type Judgement = 'pass' | 'fail' | 'no_limit' | 'not_applicable';

export interface SpecLimit {
  kind: 'min' | 'max' | 'range' | 'criterion' | 'note';
  minValue: number | null;
  maxValue: number | null;
  criterion: string | null;
  source: string;
  verified: boolean;
  /** When the limit applies (printed with it), e.g. "仅适用于硫含量小于 500 mg/kg 的燃料". */
  condition?: string | null;
  /** How the specification prints the values ("991.0", "0.50"); as stored when absent. */
  digits?: LimitDigits;
}

export const JUDGEMENT_LABELS: Record<Judgement, string> = { pass: '合格', fail: '不合格', no_limit: '无限值', not_applicable: '不适用' };

/** A limit that applies only to fuels with sulphur below 500 mg/kg (lubricity in ISO 8217 and GB 19147). */
const LOW_SULPHUR_ONLY = /硫含量低于 500 mg\/kg/;

/** Whether a limit's condition rules it out for this sample (its sulphur, in % m/m, when measured). */
export function limitNotApplicable(limit: SpecLimit | undefined, sulphurPercent: number | undefined): boolean {
  return !!limit?.condition && LOW_SULPHUR_ONLY.test(limit.condition) && sulphurPercent !== undefined && sulphurPercent >= 0.05;
}

/** A "limit" that only asks for the value to be reported (冬季 CFPP "报告"): nothing to judge, by anyone. */
export function isReportOnly(limit: SpecLimit | null | undefined): boolean {
  return limit?.kind === 'criterion' && /^报告/.test(limit.criterion ?? '');
}

/** Limits that can be judged automatically from a number. */
export function isNumericLimit(limit: SpecLimit | undefined): limit is SpecLimit & { kind: 'min' | 'max' | 'range' } {
  return !!limit && (limit.kind === 'min' || limit.kind === 'max' || limit.kind === 'range');
}

export function judge(value: number, limit: SpecLimit | undefined): Judgement {
  if (!isNumericLimit(limit)) return 'no_limit';
  if (limit.kind === 'max') return limit.maxValue !== null && value <= limit.maxValue ? 'pass' : 'fail';
  if (limit.kind === 'min') return limit.minValue !== null && value >= limit.minValue ? 'pass' : 'fail';
  return limit.minValue !== null && limit.maxValue !== null && value >= limit.minValue && value <= limit.maxValue ? 'pass' : 'fail';
}

/** "≤ 991", "≥ 60", "810 – 845", or the criterion text. */
export function describeLimit(limit: SpecLimit | undefined, unit = ''): string {
  if (!limit) return '—';
  const u = unit && unit !== '-' ? ` ${unit}` : '';
  const v = (n: number | null) => (n === null ? '' : printedLimitValue(n, limit.digits));
  switch (limit.kind) {
    case 'max':
      return `≤ ${v(limit.maxValue)}${u}`;
    case 'min':
      return `≥ ${v(limit.minValue)}${u}`;
    case 'range':
      return `${v(limit.minValue)} – ${v(limit.maxValue)}${u}`;
    default:
      return limit.criterion ?? '—';
  }
}

/** The overall conclusion of a set of judgements: any fail fails; otherwise pass. */
export function overallOf(judgements: readonly string[]): 'pass' | 'fail' {
  return judgements.includes('fail') ? 'fail' : 'pass';
}

/**
 * Parses a number as a tester types it ("0.45", "-6", "+12", "1.2e3"); undefined when it is not a plain number.
 * Commas are refused rather than guessed: "1,000" could be a thousand or one.
 */
export function parseMeasured(text: string): number | undefined {
  const normalized = text.trim().replace(/^＋/, '+').replace(/^－/, '-');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(normalized)) return undefined;
  const n = Number(normalized);
  return Number.isFinite(n) ? n : undefined;
}

/** A result reported as beyond what the method measures: "<0.60" (below its limit of quantitation), ">480". */
export interface BoundedResult {
  relation: '<' | '>';
  bound: number;
}

/**
 * A copper strip corrosion rating (GB/T 5096 / ISO 2160): the class 1–4 with its shade (1a–1b, 2a–2e, 3a–3b, 4a–4c),
 * as "1a", "1 b", "2c级";
 * the class is the number a limit ("不大于 1 级") judges. undefined for anything else.
 */
export function parseCorrosionClass(text: string): { value: number; text: string } | undefined {
  const m = /^([1-4])\s*([a-eA-E])?\s*级?$/.exec(text.trim());
  if (!m) return undefined;
  const shade = (m[2] ?? '').toLowerCase();
  // the shades each class has in the standard's colour plate: 1a–1b, 2a–2e, 3a–3b, 4a–4c
  if (shade && !{ 1: 'ab', 2: 'abcde', 3: 'ab', 4: 'abc' }[Number(m[1]) as 1 | 2 | 3 | 4].includes(shade)) return undefined;
  return { value: Number(m[1]), text: `${m[1]}${shade}` };
}

/** Parses "<0.60", "＜ 0.60", ">480" (the tester's own spelling of a bound); undefined for anything else. */
export function parseBounded(text: string): BoundedResult | undefined {
  const m = /^([<>＜＞])\s*(.+)$/.exec(text.trim());
  if (!m) return undefined;
  const bound = parseMeasured(m[2]!);
  return bound === undefined ? undefined : { relation: m[1] === '<' || m[1] === '＜' ? '<' : '>', bound };
}

/**
 * Judges a bounded result where the bound decides it: "<0.60" meets "≤ 2.00" (the value is below 0.60, so below
 * 2.00) and fails "≥ 1.0"; "<3" against "≤ 2.00" decides nothing (the value may be 2.5 or 1.5) — undefined then, and
 * the tester must measure with a lower limit or enter the value.
 */
export function judgeBounded(result: BoundedResult, limit: SpecLimit | undefined): Judgement | undefined {
  if (!isNumericLimit(limit)) return 'no_limit';
  const { relation, bound } = result;
  const below = relation === '<';
  const { minValue: min, maxValue: max } = limit;
  if (below) {
    if (min !== null && limit.kind !== 'max' && bound <= min) return 'fail';
    if (max !== null && limit.kind === 'max' && bound <= max) return 'pass';
    return undefined;
  }
  if (max !== null && limit.kind !== 'min' && bound >= max) return 'fail';
  if (min !== null && limit.kind === 'min' && bound >= min) return 'pass';
  return undefined;
}

/**
 * CCAI (calculated carbon aromaticity index) from the density at 15 ℃ (kg/m³) and the kinematic viscosity at 50 ℃
 * (mm²/s), ISO 8217 Annex F: a calculated value, so a lab reports what the formula gives, rounded to a whole number.
 */
export function ccaiOf(density15: number, viscosity50: number): number {
  return Math.round(density15 - 140.7 * Math.log10(Math.log10(viscosity50 + 0.85)) - 80.6);
}

