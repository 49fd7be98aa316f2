import { PERIOD_PRESET_KEYS, type PeriodPreset } from './period.js';

const PERIOD_LABELS: Record<PeriodPreset, string> = { month: '本月', quarter: '本季度', year: '本年', custom: '自定义' };

/** The period choices above a dashboard, in order. */
export const PERIOD_PRESETS = PERIOD_PRESET_KEYS.map((key) => ({ key, label: PERIOD_LABELS[key] }));
