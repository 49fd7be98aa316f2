import { addDays, addMonths } from '../shared/time.js';

/*
 * The ledger's rules from the 2020 compulsory-verification catalogue (市场监管总局 2020 年第 42 号公告《实施强制管理的
 * 计量器具目录》) and the regulations the seed cites — facts in ../shared/domain/qiangjian-2020.json and the service
 * guides. What could not be verified there stays a default the user can change, and the pages say so.
 */

/** 强检用途: the four uses of 计量法 第九条 under which a catalogued working instrument is compulsorily verified. */
export const COMPULSORY_USES = { trade: '贸易结算', safety: '安全防护', medical: '医疗卫生', environment: '环境监测' } as const;
export type CompulsoryUse = keyof typeof COMPULSORY_USES;

export const INSTRUMENT_STATUSES = { in_use: '在用', stopped: '停用', sealed: '封存', scrapped: '报废' } as const;
export type InstrumentStatus = keyof typeof INSTRUMENT_STATUSES;

export const LEDGER_CONCLUSIONS = { pass: '合格', fail: '不合格', calibrated: '校准' } as const;
export type LedgerConclusion = keyof typeof LEDGER_CONCLUSIONS;

/** 周期检定, or 只做首次强制检定、限期使用、到期轮换 (water and gas meters). */
export const REGIMES = { periodic: '周期检定 / 校准', limited_life: '首次强检，限期使用' } as const;
export type Regime = keyof typeof REGIMES;

export const DUE_SOURCES = { certificate: '证书有效期', period: '按周期推算', use_limit: '使用期限', manual: '手工填写' } as const;
export type DueSource = keyof typeof DUE_SOURCES;

/**
 * The uses under which each seeded category is in the catalogue. A category not listed falls back to its
 * `compulsory` flag: 'no' → never 强检; anything else → any of the four uses (confirmed at acceptance).
 */
const CATALOGUE_USES: Record<string, CompulsoryUse[]> = {
  'CAL-PG': ['safety'],
  'CAL-EBAL': ['trade'],
  'CAL-DIS': ['trade'],
  'CAL-NSI': ['trade'],
  'CAL-AWI': ['trade'],
  'CAL-BT': ['medical'],
  'CAL-FD': ['trade'],
  'CAL-GD': ['trade'],
  'CAL-FM': ['trade'],
  'CAL-WM': ['trade'],
  'CAL-GM': ['trade'],
  'CAL-HM': ['trade'],
  'CAL-EM': ['trade'],
  'CAL-CGD': ['safety'],
  'CAL-COD': ['safety'],
  'CAL-H2SD': ['safety'],
  'CAL-O2': ['safety'],
  'CAL-BP': ['medical'],
  'CAL-TAXI': ['trade'],
  'CAL-SPEED': ['safety'],
  'CAL-BAC': ['safety'],
  'CAL-SLM': ['environment'],
  'CAL-SMOKE': ['environment'],
  'CAL-VTANK': ['trade'],
  'CAL-SHIPTANK': ['trade'],
};

export function compulsoryUsesOf(category: { code: string; compulsory: string }): CompulsoryUse[] {
  if (category.compulsory === 'no') return [];
  return CATALOGUE_USES[category.code] ?? (Object.keys(COMPULSORY_USES) as CompulsoryUse[]);
}

/** The legal options of meters under 首次强检 + 限期使用 (JJG 162—2019 water meters; JJG 577—2012 / JJG 1190—2022 gas meters). */
export interface RegimeOption {
  label: string;
  regime: Regime;
  months: number;
}

export const REGIME_OPTIONS: Record<string, RegimeOption[]> = {
  'CAL-WM': [
    { label: 'DN ≤ 25 mm 且 Q3 ≤ 16 m³/h：只做首次强制检定，使用期限不超过 6 年', regime: 'limited_life', months: 72 },
    { label: '25 mm < DN ≤ 50 mm 且 Q3 ≤ 16 m³/h：只做首次强制检定，使用期限不超过 4 年', regime: 'limited_life', months: 48 },
    { label: 'DN > 50 mm 或 Q3 > 16 m³/h：周期检定，检定周期一般为 2 年', regime: 'periodic', months: 24 },
  ],
  'CAL-GM': [{ label: '以天然气为介质：只做首次强制检定，使用年限一般不超过 10 年', regime: 'limited_life', months: 120 }],
};

/** The longest use limit a category allows, or undefined when it is not a limited-life meter. */
export function maxUseLimit(categoryCode: string): number | undefined {
  const limits = (REGIME_OPTIONS[categoryCode] ?? []).filter((o) => o.regime === 'limited_life').map((o) => o.months);
  return limits.length ? Math.max(...limits) : undefined;
}

/**
 * Categories whose period in the reference data was checked against the regulation (JJG 52—2013, JJG 162—2019,
 * JJG 577—2012). Every other category's period is a common value: a default for reminders, labelled 参考.
 */
const PERIOD_VERIFIED = new Set(['CAL-PG', 'CAL-WM', 'CAL-GM']);
export const isPeriodVerified = (categoryCode: string) => PERIOD_VERIFIED.has(categoryCode);

/**
 * A serial number as compared: full-width characters folded (ＰＧ－００１ → PG-001), spaces removed, upper-case.
 * Two entries of one company and category with the same key are the same instrument.
 */
export function serialKey(serialNo: string): string {
  return serialNo.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** A date some months later, the day before the same day of the month (a 12-month period from 2026-03-15 ends 2027-03-14). */
export function addMonthsInclusive(isoDate: string, months: number): string {
  return addDays(addMonths(isoDate, months), -1);
}

/** The next due date of an entry: a date from the certificate wins; otherwise last date + period (or use limit). */
export function nextDueOf(e: { regime: Regime; periodMonths: number | null; lastCalibrationDate: string | null; nextDueDate: string | null }): { nextDueDate: string | null; dueSource: DueSource | null } {
  if (e.nextDueDate) return { nextDueDate: e.nextDueDate, dueSource: 'manual' };
  if (e.lastCalibrationDate && e.periodMonths) {
    return { nextDueDate: addMonthsInclusive(e.lastCalibrationDate, e.periodMonths), dueSource: e.regime === 'limited_life' ? 'use_limit' : 'period' };
  }
  return { nextDueDate: null, dueSource: null };
}

/** Reminder thresholds: 30, 7 and 0 days before the due date, and once overdue. */
export type Threshold = '30' | '7' | '0' | 'overdue';
export const THRESHOLD_LABELS: Record<Threshold, string> = { '30': '30 天内到期', '7': '7 天内到期', '0': '今天到期', overdue: '已超期' };

/** The most urgent threshold an instrument has reached today (undefined: more than 30 days to go). */
export function thresholdOf(daysLeft: number): Threshold | undefined {
  if (daysLeft < 0) return 'overdue';
  if (daysLeft === 0) return '0';
  if (daysLeft <= 7) return '7';
  if (daysLeft <= 30) return '30';
  return undefined;
}
