import { metrologyBasis } from '../catalog/metrology-basis.js';
import { ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { LedgerCategory } from './categories.js';
import type { NewInstrument } from './ledger.repo.js';
import { instrumentSchema } from './ledger.schemas.js';
import { COMPULSORY_USES, maxUseLimit, nextDueOf, serialKey, type CompulsoryUse, type DueSource, type InstrumentStatus, type LedgerConclusion, type Regime } from './rules.js';

/** The fields of an entry the user owns (everything but who, when, and the certificate link). */
export type EntryValues = Required<Pick<NewInstrument, 'name' | 'categoryCode' | 'model' | 'serialNo' | 'serialKey' | 'manufacturer' | 'measuringRange' | 'accuracyClass' | 'department' | 'location' | 'compulsory'>> & {
  compulsoryUse: CompulsoryUse | null;
  regime: Regime;
  periodMonths: number | null;
  status: InstrumentStatus;
  lastCalibrationDate: string | null;
  certificateNo: string | null;
  conclusion: LedgerConclusion | null;
  nextDueDate: string | null;
  dueSource: DueSource | null;
};

/** The category's rules on top of the form's own: 强检 uses, limited-life meters, dates not in the future. */
function categoryErrors(v: ReturnType<typeof parseEntry>, cat: LedgerCategory | undefined, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!cat) return { categoryCode: '请选择有效的器具类别' };
  if (v.compulsory === 'yes') {
    if (cat.uses.length === 0) errors.compulsory = `“${cat.name}”作为工作计量器具不在强制检定目录内，请选择“否”（作为计量标准的，按计量标准考核管理）`;
    else if (v.compulsoryUse && !cat.uses.includes(v.compulsoryUse as CompulsoryUse)) {
      errors.compulsoryUse = `“${cat.name}”列入强检目录的用途为：${cat.uses.map((u) => COMPULSORY_USES[u]).join('、')}`;
    }
  }
  if (v.regime === 'limited_life') {
    const max = maxUseLimit(cat.code);
    if (max === undefined) errors.regime = `“${cat.name}”不实行首次强检、限期使用，请选择周期检定 / 校准`;
    else if (!v.periodMonths) errors.periodMonths = `请填写使用期限（月），最长 ${max} 个月（${max / 12} 年）`;
    else if (Number(v.periodMonths) > max) errors.periodMonths = `“${cat.name}”的使用期限不能超过 ${max} 个月（${max / 12} 年）`;
  }
  // A 强检 instrument is verified at the regulation's period (JJG 52—2013: a pressure gauge ≤ 6 months), never longer.
  if (v.compulsory === 'yes' && (v.regime || 'periodic') === 'periodic' && cat.periodVerified && cat.periodMonths && Number(v.periodMonths) > cat.periodMonths) {
    const regulation = metrologyBasis(cat.regulations).regulations[0] ?? '检定规程';
    errors.periodMonths = `${regulation} 规定“${cat.name}”的检定周期不超过 ${cat.periodMonths} 个月：强检器具的周期不能更长`;
  }
  if (v.lastCalibrationDate && v.lastCalibrationDate > today) errors.lastCalibrationDate = '上次检定/校准日期不能晚于今天';
  return errors;
}

const parseEntry = (input: unknown) => parseInput(instrumentSchema, input);

/**
 * Checks one entry completely (form or import row) and returns what is saved. Without a due date from a
 * certificate, the due date is the last date plus the period — the entry's own, or the category's default.
 */
export function checkEntry(input: unknown, categories: Map<string, LedgerCategory>, today: string): EntryValues {
  let v: ReturnType<typeof parseEntry>;
  const errors: Record<string, string> = {};
  try {
    v = parseEntry(input);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // An unknown category is named with the other problems.
    const category = typeof (input as Record<string, unknown> | null)?.categoryCode === 'string' ? (input as Record<string, string>).categoryCode : '';
    if (category && !categories.has(category)) err.fieldErrors.categoryCode ??= '请选择有效的器具类别';
    throw err;
  }
  const cat = categories.get(v.categoryCode);
  Object.assign(errors, categoryErrors(v, cat, today));
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const regime = (v.regime || 'periodic') as Regime;
  const periodMonths = v.periodMonths ? Number(v.periodMonths) : null;
  const due = nextDueOf({ regime, periodMonths: periodMonths ?? cat!.periodMonths, lastCalibrationDate: v.lastCalibrationDate || null, nextDueDate: v.nextDueDate || null });
  return {
    name: v.name,
    categoryCode: v.categoryCode,
    model: v.model,
    serialNo: v.serialNo,
    serialKey: serialKey(v.serialNo),
    manufacturer: v.manufacturer,
    measuringRange: v.measuringRange,
    accuracyClass: v.accuracyClass,
    department: v.department,
    location: v.location,
    compulsory: v.compulsory === 'yes',
    compulsoryUse: v.compulsory === 'yes' ? (v.compulsoryUse as CompulsoryUse) : null,
    regime,
    periodMonths,
    status: v.status,
    lastCalibrationDate: v.lastCalibrationDate || null,
    certificateNo: v.certificateNo || null,
    conclusion: (v.conclusion || null) as LedgerConclusion | null,
    ...due,
  };
}

/** The fields that changed between two versions of an entry, as { field: [before, after] } for the audit log. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    if (k === 'serialKey' || k === 'updatedAt' || k === 'updatedBy') continue;
    if ((before[k] ?? null) !== (v ?? null)) out[k] = [before[k] ?? null, v ?? null];
  }
  return out;
}
