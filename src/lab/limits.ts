import type { SpecLimit } from './judgement.js';
import { limitDigits, printedLimitValue } from './limit-digits.js';

/**
 * Which limit judges a test item of a sample: the grade's limit for the booked specification edition and the quality
 * the customer chose (winter/summer), falling back to the limit that holds for every quality; for the sulphur content
 * of marine fuels, also the statutory limit the fuel must meet (MARPOL Annex VI), the stricter one winning.
 */

export interface LimitRow extends SpecLimit {
  itemCode: string;
  gradeCode: string;
  edition: string;
  /** '' when the limit holds for every quality of the grade. */
  variant: string;
  /** The criterion in English, for bilingual reports only. */
  criterionEn?: string | null;
}

/** MARPOL Annex VI regulation 14: what the customer says the fuel must meet when it is used. */
export const SULPHUR_REQUIREMENTS = {
  global: { name: '全球限值 0.50 %（排放控制区外使用）', max: 0.5, source: 'MARPOL 附则Ⅵ 第 14 条（2020 年 1 月 1 日起）' },
  eca: { name: '排放控制区限值 0.10 %', max: 0.1, source: 'MARPOL 附则Ⅵ 第 14 条（2015 年 1 月 1 日起）' },
  none: { name: '不判定法定限值（装有废气清洗系统，仅报告结果）', max: null, source: null },
} as const;

export type SulphurRequirement = keyof typeof SULPHUR_REQUIREMENTS;

export const isSulphurRequirement = (v: unknown): v is SulphurRequirement => typeof v === 'string' && Object.hasOwn(SULPHUR_REQUIREMENTS, v);

/** The item codes whose limit the statutory sulphur requirement governs (sulphur in % m/m). */
const SULPHUR_ITEMS = new Set(['OIL-S-PCT']);

export interface SampleSpec {
  gradeCode: string;
  edition: string | null;
  variant: string | null;
  sulphurRequirement: string | null;
}

export function pickRow(rows: LimitRow[], itemCode: string, spec: SampleSpec): LimitRow | undefined {
  const candidates = rows.filter((r) => r.itemCode === itemCode && r.gradeCode === spec.gradeCode && r.edition === (spec.edition ?? ''));
  return candidates.find((r) => r.variant !== '' && r.variant === spec.variant) ?? candidates.find((r) => r.variant === '');
}

export function limitFor(rows: LimitRow[], itemCode: string, spec: SampleSpec): SpecLimit | undefined {
  const row = pickRow(rows, itemCode, spec);
  const digits = row ? limitDigits(itemCode, row.source) : undefined;
  const base: SpecLimit | undefined = row ? { kind: row.kind, minValue: row.minValue, maxValue: row.maxValue, criterion: row.criterion, source: row.source, verified: row.verified, condition: row.condition ?? null, ...(digits ? { digits } : {}) } : undefined;
  if (!SULPHUR_ITEMS.has(itemCode) || !isSulphurRequirement(spec.sulphurRequirement)) return base;
  const statutory = SULPHUR_REQUIREMENTS[spec.sulphurRequirement];
  if (statutory.max === null) {
    // With a scrubber the statutory limit does not apply: a numeric specification limit still judges; the
    // "statutory requirements" criterion of residual grades does not.
    return base?.kind === 'criterion' ? undefined : base;
  }
  const specMax = base && (base.kind === 'max' || base.kind === 'range') ? base.maxValue : null;
  if (specMax !== null && specMax <= statutory.max) return base;
  return {
    kind: 'max',
    minValue: null,
    maxValue: statutory.max,
    criterion: null,
    source: base && specMax !== null ? `${statutory.source}（严于 ${base.source} 的 ${printedLimitValue(specMax, base.digits)}）` : statutory.source,
    verified: true,
    condition: null,
    digits: { decimals: 2 },
  };
}
