import { ValidationError } from '../shared/errors.js';
import { addDays, dayjs, isIsoDate } from '../shared/time.js';
import type { NewResult } from './lab.repo.js';
import { ccaiOf, describeLimit, isNumericLimit, judge, judgeBounded, overallOf, parseBounded, parseMeasured, type SpecLimit } from './judgement.js';

/** Form keys of an item: "i<id>", never a bare number (qs would read it as an array index and compact it). */
export const itemKey = (id: number): string => `i${id}`;

/**
 * Turning the results form into result rows. Every line is checked, every problem gets a message on its own field
 * (`results.<itemId>.<code>`, `cal.<itemId>.<field>`), and nothing is kept unless all lines are valid.
 */

export interface OilSampleForResults {
  id: number;
  sampleName: string | null;
  gradeCode: string;
  gradeName?: string | null;
  items: {
    code: string;
    name: string;
    unit: string;
    plausibleMin: number | null;
    plausibleMax: number | null;
    limit: SpecLimit | null;
  }[];
}

export interface ParsedResults {
  rows: NewResult[];
  conclusion: 'pass' | 'fail' | 'info';
  remark: string;
}

type Body = Record<string, unknown>;

function str(v: unknown, max = 200): string {
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

function get(obj: unknown, ...keys: (string | number)[]): unknown {
  let cur = obj;
  for (const k of keys) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(k)];
  }
  return cur;
}

function remarkOf(body: Body, errors: Record<string, string>): string {
  const remark = str(body.remark, 2000);
  if (typeof body.remark === 'string' && body.remark.trim().length > 1000) errors.remark = '结论备注不能超过 1000 个字';
  return remark;
}

export function parseOilResults(body: Body, samples: OilSampleForResults[]): ParsedResults {
  const errors: Record<string, string> = {};
  const rows: NewResult[] = [];
  for (const sample of samples) {
    // CCAI is calculated from the sample's density and viscosity (ISO 8217 Annex F): left empty it is filled in, and a
    // typed value must agree with the calculation (a typo would otherwise judge the sample).
    const measuredOf = (code: string) => (sample.items.some((i) => i.code === code) ? parseMeasured(str(get(body.results, itemKey(sample.id), code), 60)) : undefined);
    const [density, viscosity] = [measuredOf('OIL-DEN15'), measuredOf('OIL-KV50')];
    const calculated = density !== undefined && viscosity !== undefined ? ccaiOf(density, viscosity) : NaN;
    const ccai = Number.isFinite(calculated) ? calculated : undefined;
    for (const item of sample.items) {
      const key = `results.${sample.id}.${item.code}`;
      let text = str(get(body.results, itemKey(sample.id), item.code), 60);
      if (item.code === 'OIL-CCAI' && ccai !== undefined) {
        if (!text) text = String(ccai);
        else if (Math.abs((parseMeasured(text) ?? ccai) - ccai) > 1) {
          errors[key] = `CCAI 由密度（15 ℃）和运动黏度（50 ℃）计算（ISO 8217 附录 F），按所填数据应为 ${ccai}；请核对，或留空由系统计算`;
          continue;
        }
      }
      if (!text) {
        errors[key] = `请填写“${item.name}”的结果`;
        continue;
      }
      const limit = item.limit ?? undefined;
      const value = parseMeasured(text);
      // Beyond the method's range a lab reports a bound: "<0.60" below its limit of quantitation, ">480" above its range.
      const bounded = value === undefined ? parseBounded(text) : undefined;
      if (isNumericLimit(limit) && value === undefined && !bounded) {
        errors[key] = `“${item.name}”应填写数值（如 0.45），不要带单位或逗号；低于或高于方法测定范围时填写“<0.60”“>480”`;
        continue;
      }
      const measured = value ?? bounded?.bound;
      if (measured !== undefined && ((item.plausibleMin !== null && measured < item.plausibleMin) || (item.plausibleMax !== null && measured > item.plausibleMax))) {
        errors[key] = `“${item.name}”的数值 ${text} 超出合理范围（${item.plausibleMin ?? '−∞'} – ${item.plausibleMax ?? '∞'} ${item.unit}），请核对`;
        continue;
      }
      // A verified numeric limit judges by the rule. A criterion, or a limit still 待核实 (not checked against the
      // standard), never judges silently: the tester says which, and the report marks the line.
      const needsTester = limit?.kind === 'criterion' || (isNumericLimit(limit) && !limit.verified);
      let judgement: string;
      if (needsTester) {
        const manual = str(get(body.manual, itemKey(sample.id), item.code), 10);
        if (manual !== 'pass' && manual !== 'fail') {
          errors[`manual.${sample.id}.${item.code}`] = isNumericLimit(limit)
            ? `“${item.name}”的限值（${describeLimit(limit, item.unit)}）待核实，不自动判定：请判定是否符合`
            : `请判定“${item.name}”是否符合：${limit!.criterion}`;
          continue;
        }
        judgement = manual;
      } else if (isNumericLimit(limit) && bounded) {
        const decided = judgeBounded(bounded, limit);
        if (!decided) {
          errors[key] = `“${item.name}”的结果 ${text} 不能判定是否符合限值（${describeLimit(limit, item.unit)}）：请用测定下限更低的方法测定，或填写实测值`;
          continue;
        }
        judgement = decided;
      } else if (isNumericLimit(limit)) {
        judgement = judge(value!, limit);
      } else {
        judgement = 'no_limit';
      }
      rows.push({
        bookingItemId: sample.id,
        testItemCode: item.code,
        valueText: bounded ? `${bounded.relation}${text.replace(/^[<>＜＞]\s*/, '')}` : text,
        valueNumber: value ?? null,
        unit: item.unit,
        limitText: describeLimit(limit, item.unit),
        limitSource: limit ? `${limit.source}${limit.verified ? '' : '（待核实）'}` : null,
        judgement,
        judgementBasis: needsTester ? 'tester' : isNumericLimit(limit) ? 'auto' : null,
      });
    }
  }
  const remark = remarkOf(body, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors, '有结果需要修改，请按提示核对。');
  return { rows, conclusion: overallOf(rows.map((r) => r.judgement!)), remark };
}

export interface InstrumentForResults {
  id: number;
  instrumentName: string | null;
  serialNo: string | null;
}

const CONCLUSIONS = ['pass', 'fail', 'calibrated'] as const;
export const CALIBRATION_CONCLUSION_LABELS: Record<(typeof CONCLUSIONS)[number], string> = { pass: '合格', fail: '不合格', calibrated: '校准（给出数据）' };

/** The default next due date of an instrument: today plus the category's verification period. */
export function defaultNextDue(today: string, periodMonths: number | null): string | null {
  return periodMonths ? dayjs(today).add(periodMonths, 'month').subtract(1, 'day').format('YYYY-MM-DD') : null;
}

export function parseCalibrationResults(body: Body, instruments: InstrumentForResults[], today: string): ParsedResults {
  const errors: Record<string, string> = {};
  const rows: NewResult[] = [];
  for (const inst of instruments) {
    const base = `cal.${inst.id}`;
    const line = get(body.cal, itemKey(inst.id));
    const conclusion = str(get(line, 'conclusion'), 20);
    const certificateNo = str(get(line, 'certificateNo'), 60);
    const nextDueDate = str(get(line, 'nextDueDate'), 10);
    const remark = str(get(line, 'remark'), 300);
    const label = `${inst.instrumentName ?? '器具'}（${inst.serialNo ?? ''}）`;
    if (!(CONCLUSIONS as readonly string[]).includes(conclusion)) errors[`${base}.conclusion`] = `请选择${label}的结论`;
    if (!certificateNo) errors[`${base}.certificateNo`] = `请填写${label}的证书编号`;
    else if (certificateNo.length > 40) errors[`${base}.certificateNo`] = '证书编号不能超过 40 个字符';
    if (nextDueDate) {
      if (!isIsoDate(nextDueDate)) errors[`${base}.nextDueDate`] = '下次检定/校准日期格式应为 年-月-日';
      else if (nextDueDate <= today) errors[`${base}.nextDueDate`] = '下次检定/校准日期应晚于今天';
      else if (nextDueDate > addDays(today, 366 * 10)) errors[`${base}.nextDueDate`] = '下次检定/校准日期不能超过 10 年';
    } else if (conclusion !== 'fail') {
      errors[`${base}.nextDueDate`] = `请填写${label}的下次检定/校准日期`;
    }
    const rawPoints = get(line, 'points');
    const points: { nominal: number; measured: number; error: number | null; uncertainty: string | null }[] = [];
    if (Array.isArray(rawPoints)) {
      rawPoints.slice(0, 20).forEach((p, i) => {
        const nominal = str(get(p, 'nominal'), 30);
        const measured = str(get(p, 'measured'), 30);
        const uncertainty = str(get(p, 'uncertainty'), 30);
        if (!nominal && !measured && !uncertainty) return; // an empty row
        const n = parseMeasured(nominal);
        const m = parseMeasured(measured);
        if (n === undefined || m === undefined) {
          errors[`${base}.points.${i}`] = `第 ${i + 1} 个测量点的标称值和实测值都应为数值`;
          return;
        }
        points.push({ nominal: n, measured: m, error: Number((m - n).toPrecision(12)), uncertainty: uncertainty || null });
      });
    }
    if ((CONCLUSIONS as readonly string[]).includes(conclusion)) {
      rows.push({
        bookingItemId: inst.id,
        conclusion,
        certificateNo,
        nextDueDate: conclusion === 'fail' ? nextDueDate || null : nextDueDate,
        points: points.length ? points : null,
        remark: remark || null,
      });
    }
  }
  const remark = remarkOf(body, errors);
  if (Object.keys(errors).length) throw new ValidationError(errors, '有结果需要修改，请按提示核对。');
  const conclusions = rows.map((r) => r.conclusion!);
  const conclusion = conclusions.includes('fail') ? 'fail' : conclusions.every((c) => c === 'calibrated') ? 'info' : 'pass';
  return { rows, conclusion, remark };
}

/** Consultation: the record of the consultation is the result. */
export function parseConsultationRecord(body: Body): ParsedResults {
  const record = str(body.remark, 5000);
  if (record.length < 10) throw new ValidationError({ remark: '请填写咨询记录与建议（至少 10 个字）' });
  if (typeof body.remark === 'string' && body.remark.trim().length > 3000) throw new ValidationError({ remark: '咨询记录不能超过 3000 个字' });
  return { rows: [], conclusion: 'info', remark: record };
}
