import { ccaiOf, isNumericLimit, isReportOnly, judge, limitNotApplicable } from '../lab/judgement.js';
import type { Judgement, SpecLimit } from '../lab/judgement.js';
import { ULO_ITEM, uloText } from '../lab/ulo.js';

/**
 * Results of the demo history's oil tests as a lab reports them: values typical of the fuel (a VLSFO's density near
 * 975 kg/m³, an MGO's near 850), with the resolution each method reports (pour point in steps of 3 ℃, sulphur to
 * 0.01 %), the low-temperature properties in their physical order (pour point ≤ cold filter plugging point ≤ cloud
 * point), text where the lab writes text (外观 清澈透亮, 水分 无, 铜片腐蚀 1a, below a method's detection limit "< 0.1"),
 * inside the grade's limit unless the history wants an out-of-specification sample, and judged by its value.
 */

type Family = 'marine-residual' | 'marine-distillate' | 'diesel' | 'gasoline' | 'lubricant';
type Rand = () => number;

/** A number drawn around `centre` (± `spread`), reported to `decimals` places or in multiples of `step`. */
interface Typical {
  centre: number;
  spread: number;
  decimals?: number;
  step?: number;
}
/** What the lab writes instead of a number, and the number it is judged by (if any). */
interface Written {
  text: (rand: Rand) => string;
  judgedAs?: number;
}
type Rule = Typical | Written;

const t = (centre: number, spread: number, decimals = 0, step?: number): Typical => ({ centre, spread, decimals, ...(step ? { step } : {}) });
const text = (value: string, judgedAs?: number): Written => ({ text: () => value, ...(judgedAs !== undefined ? { judgedAs } : {}) });
const pick = <T>(rand: Rand, xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Sulphur by what the sample must meet: inside an emission control area, globally, or with a scrubber on board. */
const SULPHUR: Record<string, Record<string, Typical>> = {
  'marine-residual': { eca: t(0.085, 0.01, 3), global: t(0.46, 0.03, 2), none: t(2.5, 0.4, 2) },
  'marine-distillate': { eca: t(0.07, 0.02, 3), global: t(0.08, 0.03, 3), none: t(0.2, 0.1, 2) },
};

const TYPICAL: Record<Family, Record<string, Rule>> = {
  'marine-residual': {
    'OIL-DEN15': t(975, 10, 1), 'OIL-KV50': t(320, 50, 1), 'OIL-CCAI': t(845, 8), 'OIL-FP-PM': t(95, 20), 'OIL-H2S': t(0.5, 0.4, 2),
    'OIL-AN': t(0.8, 0.6, 2), 'OIL-TSA': t(0.03, 0.02, 2), 'OIL-MCR': t(11, 3, 2), 'OIL-POUR': t(3, 6, 0, 3), 'OIL-WATER': t(0.1, 0.08, 2),
    'OIL-ASH': t(0.03, 0.02, 3), 'OIL-V': t(90, 60), 'OIL-NA': t(25, 15), 'OIL-ALSI': t(25, 15), 'OIL-ULO': { text: (rand) => uloText({ ca: String(3 + Math.floor(rand() * 12)), zn: String(1 + Math.floor(rand() * 6)), p: String(1 + Math.floor(rand() * 6)) }) },
  },
  'marine-distillate': {
    'OIL-DEN15': t(848, 8, 1), 'OIL-KV40': t(3.6, 0.9, 3), 'OIL-CI': t(48, 4), 'OIL-FP-PM': t(68, 6), 'OIL-H2S': t(0.3, 0.25, 2),
    'OIL-AN': t(0.05, 0.04, 2), 'OIL-OXS-ISO': t(8, 6), 'OIL-FAME': text('< 0.1', 0), 'OIL-MCR10': t(0.1, 0.08, 2), 'OIL-MCR': t(0.05, 0.03, 2),
    'OIL-POUR': t(-15, 3, 0, 3), 'OIL-CFPP': t(-10, 2), 'OIL-CLOUD': t(-5, 2), 'OIL-APPEAR': text('清澈透亮'), 'OIL-TSH': t(0.02, 0.015, 2),
    'OIL-WATER': t(0.05, 0.03, 2), 'OIL-ASH': t(0.003, 0.002, 3), 'OIL-LUB': t(380, 60),
  },
  diesel: {
    'OIL-OXS-SH': t(0.8, 0.6, 1), 'OIL-S-PPM': t(6, 2.5, 1), 'OIL-ACIDITY': t(2, 1.5, 1), 'OIL-MCR10': t(0.1, 0.08, 2), 'OIL-ASH': t(0.003, 0.002, 3),
    'OIL-CU': text('1a', 1), 'OIL-WATER': text('无'), 'OIL-TCONT': t(10, 6), 'OIL-LUB': t(390, 50), 'OIL-PAH': t(4, 2, 1), 'OIL-KV20': t(4.2, 0.8, 2),
    'OIL-SOLID': t(-16, 3), 'OIL-CFPP': t(-6, 3), 'OIL-FP-PM': t(68, 6), 'OIL-CN': t(53, 2, 1), 'OIL-CI': t(50, 2, 1),
    'OIL-DIST-D50': t(275, 10), 'OIL-DIST-D90': t(330, 10), 'OIL-DIST-D95': t(350, 8), 'OIL-DEN20': t(830, 6, 1), 'OIL-FAME': t(0.3, 0.25, 1),
  },
  gasoline: {
    'OIL-RON': t(92.6, 0.4, 1), 'OIL-AKI': t(88.2, 0.5, 1), 'OIL-PB': text('< 0.002', 0), 'OIL-VP': t(55, 5, 1), 'OIL-GUM': t(2, 1.5, 1),
    'OIL-INDUCT': text('> 480', 480), 'OIL-S-PPM': t(6, 2.5, 1), 'OIL-CU': text('1a', 1), 'OIL-BENZ': t(0.6, 0.15, 2), 'OIL-AROM': t(30, 4, 1),
    'OIL-OLEF': t(12, 3, 1), 'OIL-OXY': t(1.5, 0.5, 2), 'OIL-MEOH': t(0.02, 0.015, 2), 'OIL-MN': text('< 0.001', 0), 'OIL-FE': text('< 0.001', 0),
    'OIL-DEN20': t(738, 8, 1),
    'OIL-DIST-G': {
      text: (rand) => `10 %：${Math.round(52 + rand() * 10)} ℃；50 %：${Math.round(95 + rand() * 10)} ℃；90 %：${Math.round(160 + rand() * 15)} ℃；终馏点：${Math.round(192 + rand() * 8)} ℃；残留量：${(0.8 + rand() * 0.6).toFixed(1)} %`,
    },
  },
  lubricant: {
    'OIL-KV40': t(100, 6, 1), 'OIL-KV100': t(11.2, 0.5, 2), 'OIL-VI': t(98, 4), 'OIL-AN': t(0.6, 0.3, 2), 'OIL-TBN': t(9, 3, 1), 'OIL-KF': t(300, 200),
    'OIL-FP-COC': t(228, 10), 'OIL-MECH': t(0.02, 0.015, 3),
    'OIL-ELEM': { text: (rand) => `铁 ${Math.round(8 + rand() * 20)}，铜 ${Math.round(1 + rand() * 6)}，硅 ${Math.round(3 + rand() * 8)}（mg/kg）` },
    'OIL-CLEAN': { text: (rand) => `−/${pick(rand, [16, 17, 18, 19])}/${pick(rand, [13, 14, 15, 16])}` },
  },
};

function round(value: number, rule: Typical): number {
  if (rule.step) return Math.round(value / rule.step) * rule.step;
  const f = 10 ** (rule.decimals ?? 0);
  return Math.round(value * f) / f;
}

function format(value: number, rule: Typical): string {
  return rule.step ? String(value) : value.toFixed(rule.decimals ?? 0);
}

/** The smallest reported change: one step, or one unit of the last decimal. */
const unitOf = (rule: Typical) => rule.step ?? 10 ** -(rule.decimals ?? 0);

/**
 * Inside the limit: a typical value on the wrong side of a stricter grade's limit is drawn again a little inside it
 * (5–30 % of the usual spread), never left sitting on the limit itself.
 */
function within(value: number, limit: SpecLimit, rule: Typical, rand: Rand): number {
  const unit = unitOf(rule);
  const margin = () => Math.max(unit, rule.spread * (0.1 + 0.5 * rand()));
  const { minValue: min, maxValue: max } = limit;
  let v = value;
  if (max !== null && (limit.kind === 'max' || limit.kind === 'range') && v > max) v = round(max - margin(), rule);
  if (min !== null && (limit.kind === 'min' || limit.kind === 'range') && v < min) v = round(min + margin(), rule);
  // a narrow range: its middle
  if (limit.kind === 'range' && min !== null && max !== null && (v < min || v > max)) v = round((min + max) / 2, rule);
  return v;
}

/** A value a little outside a numeric limit (within the usual spread), as an out-of-specification sample shows it. */
function outside(limit: SpecLimit, rule: Typical, rand: Rand): number {
  const beyond = Math.max(unitOf(rule), rule.spread * (0.1 + 0.3 * rand()));
  if (limit.kind === 'min' && limit.minValue !== null) return round(limit.minValue - beyond, rule);
  return round((limit.maxValue ?? 0) + beyond, rule);
}

/** Without a typical value for the family: inside the limit, three significant figures. */
function fallback(limit: SpecLimit | undefined, plausible: { min: number | null; max: number | null }): Typical {
  const lo = limit?.minValue ?? plausible.min ?? 0;
  const hi = limit?.maxValue ?? (plausible.max ?? lo + 10);
  const centre = limit?.kind === 'max' ? hi * 0.6 : limit?.kind === 'min' ? lo * 1.15 : (lo + hi) / 2;
  const spread = Math.abs(limit?.kind === 'range' ? (hi - lo) / 3 : centre * 0.1);
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(centre) || 1)));
  return t(centre, spread, decimals);
}

export interface DemoOilResult {
  valueText: string;
  valueNumber: number | null;
  judgement: Judgement;
  judgementBasis: 'tester' | 'auto' | null;
}

/**
 * One result line of a demo oil test. `offSpec`: this line is the sample's out-of-specification property (only a
 * verified numeric limit can be failed; otherwise the line is as usual).
 */
export function demoOilResult(
  code: string,
  family: string,
  /** `earlier`: the sample's results so far, by item (CCAI is computed from density and viscosity). */
  sample: { sulphurRequirement: string | null; earlier?: Map<string, number> },
  limit: SpecLimit | undefined,
  plausible: { min: number | null; max: number | null },
  rand: Rand,
  offSpec: boolean,
): DemoOilResult {
  const numeric = isNumericLimit(limit) ? limit : undefined;
  // A criterion, or a limit still 待核实, is judged by the tester (on the workbench too); a verified number by the value.
  // A limit that asks only for the value ("报告") is not judged at all.
  const judgedBy = isReportOnly(limit) ? undefined : limit;
  const judgementBasis = judgedBy?.kind === 'criterion' || (numeric && !numeric.verified) ? 'tester' : numeric ? 'auto' : null;
  const rule: Rule | undefined = (code === 'OIL-S-PCT' ? SULPHUR[family]?.[sample.sulphurRequirement ?? 'global'] : undefined) ?? TYPICAL[family as Family]?.[code];
  if (rule && 'text' in rule) {
    const judged = rule.judgedAs;
    const judgement = numeric && judged !== undefined ? judge(judged, numeric) : judgedBy ? 'pass' : 'no_limit';
    // ULO is judged from its three elements by the rule (src/lab/ulo.ts): typical fuels are far below it
    return { valueText: rule.text(rand), valueNumber: null, judgement, judgementBasis: code === ULO_ITEM ? 'auto' : judgementBasis };
  }
  const typical = rule ?? fallback(numeric, plausible);
  let value = round(typical.centre + typical.spread * (2 * rand() - 1), typical);
  const density = sample.earlier?.get('OIL-DEN15');
  const viscosity = sample.earlier?.get('OIL-KV50');
  if (code === 'OIL-CCAI' && density !== undefined && viscosity !== undefined) value = ccaiOf(density, viscosity); // computed, as the lab's entry requires
  else if (numeric) value = offSpec && numeric.verified ? outside(numeric, typical, rand) : within(value, numeric, typical, rand);
  sample.earlier?.set(code, value);
  const s = sample.earlier?.get('OIL-S-PCT') ?? (sample.earlier?.has('OIL-S-PPM') ? sample.earlier.get('OIL-S-PPM')! / 10_000 : undefined);
  if (limitNotApplicable(limit, s)) return { valueText: format(value, typical), valueNumber: value, judgement: 'not_applicable', judgementBasis: 'auto' };
  // A criterion is met by a tester's judgement of this value (e.g. a seasonal vapour pressure): the value is typical.
  return { valueText: format(value, typical), valueNumber: value, judgement: numeric ? judge(value, numeric) : judgedBy ? 'pass' : 'no_limit', judgementBasis };
}
