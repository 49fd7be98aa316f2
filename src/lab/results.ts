import { ValidationError } from '../shared/errors.js';
import { addDays, addMonths, dayjs, isIsoDate } from '../shared/time.js';
import { metrologyBasis } from '../catalog/metrology-basis.js';
import type { NewResult } from './lab.repo.js';
import { parseUlo, ULO_ITEM } from './ulo.js';
import { parseEnvironment, parseLineStandards, type CalibrationLab } from './conditions.js';
import { ccaiOf, describeLimit, isNumericLimit, isReportOnly, judge, judgeBounded, limitNotApplicable, overallOf, parseBounded, parseCorrosionClass, parseMeasured, type SpecLimit } from './judgement.js';

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
    const ppm = measuredOf('OIL-S-PPM');
    const sulphurPercent = measuredOf('OIL-S-PCT') ?? (ppm !== undefined ? ppm / 10_000 : undefined);
    for (const item of sample.items) {
      const key = `results.${sample.id}.${item.code}`;
      // ULO is three measured elements judged by the standard's rule (src/lab/ulo.ts), not a tester's word.
      if (item.code === ULO_ITEM && item.limit?.kind === 'criterion') {
        const ulo = parseUlo(get(body.results, itemKey(sample.id), item.code));
        if ('error' in ulo) {
          errors[key] = ulo.error;
          continue;
        }
        const limit = item.limit;
        rows.push({ bookingItemId: sample.id, testItemCode: item.code, valueText: ulo.text, valueNumber: null, unit: item.unit, limitText: describeLimit(limit, item.unit), limitSource: `${limit.source}${limit.verified ? '' : '（待核实）'}`, judgement: ulo.judgement, judgementBasis: 'auto' });
        continue;
      }
      let text = str(get(body.results, itemKey(sample.id), item.code), 60);
      let calculated = false;
      if (item.code === 'OIL-CCAI' && ccai !== undefined) {
        if (!text) {
          text = String(ccai);
          calculated = true;
        }
        else if (Math.abs((parseMeasured(text) ?? ccai) - ccai) > 1) {
          errors[key] = `CCAI 由密度（15 ℃）和运动黏度（50 ℃）计算（ISO 8217 附录 F），按所填数据应为 ${ccai}；请核对，或留空由系统计算`;
          continue;
        }
      }
      if (!text) {
        // CCAI left empty is calculated: without a valid density and viscosity there is nothing to calculate it from
        errors[key] = item.code === 'OIL-CCAI' ? 'CCAI 留空时由密度（15 ℃）和运动黏度（50 ℃）计算：请先填好这两项的数值，或直接填写 CCAI' : `请填写“${item.name}”的结果`;
        continue;
      }
      const limit = item.limit ?? undefined;
      // A rating in classes (copper strip corrosion "1a") is judged by its class number and printed as rated.
      const rating = item.unit === '级' ? parseCorrosionClass(text) : undefined;
      if (rating) text = rating.text;
      const value = rating?.value ?? parseMeasured(text);
      // Beyond the method's range a lab reports a bound: "<0.60" below its limit of quantitation, ">480" above its range.
      const bounded = value === undefined ? parseBounded(text) : undefined;
      if (isNumericLimit(limit) && value === undefined && !bounded) {
        errors[key] = item.unit === '级' ? `“${item.name}”应填写腐蚀级别，如 1a、1b、2c（GB/T 5096 比色板）` : `“${item.name}”应填写数值（如 0.45），不要带单位或逗号；低于或高于方法测定范围时填写“<0.60”“>480”`;
        continue;
      }
      const measured = value ?? bounded?.bound;
      if (measured !== undefined && ((item.plausibleMin !== null && measured < item.plausibleMin) || (item.plausibleMax !== null && measured > item.plausibleMax))) {
        const unit = item.unit && item.unit !== '-' ? ` ${item.unit}` : '';
        errors[key] = calculated
          ? `按所填密度和运动黏度计算的 CCAI 为 ${text}，超出合理范围（${item.plausibleMin ?? '−∞'} – ${item.plausibleMax ?? '∞'}）：请核对密度（15 ℃）和运动黏度（50 ℃）`
          : `“${item.name}”的数值 ${text} 超出合理范围（${item.plausibleMin ?? '−∞'} – ${item.plausibleMax ?? '∞'}${unit}），请核对`;
        continue;
      }
      // A verified numeric limit judges by the rule. A criterion, or a limit still 待核实 (not checked against the
      // standard), never judges silently: the tester says which, and the report marks the line.
      const notApplicable = limitNotApplicable(limit, sulphurPercent);
      const reportOnly = isReportOnly(limit);
      const needsTester = !notApplicable && !reportOnly && (limit?.kind === 'criterion' || (isNumericLimit(limit) && !limit.verified));
      let judgement: string;
      if (reportOnly) {
        judgement = 'no_limit'; // the standard asks for the value only
      } else if (notApplicable) {
        // Reported, not judged: the limit's own condition (sulphur below 500 mg/kg) rules it out for this sample.
        judgement = 'not_applicable';
      } else if (needsTester) {
        const manual = str(get(body.manual, itemKey(sample.id), item.code), 10);
        if (manual !== 'pass' && manual !== 'fail') {
          errors[`manual.${sample.id}.${item.code}`] = isNumericLimit(limit)
            ? `“${item.name}”的限值（${describeLimit(limit, item.unit)}）待核实，不自动判定：请判定是否符合`
            : `请判定“${item.name}”是否符合：${limit!.criterion}`;
          continue;
        }
        // The report prints the limit beside the judgement: a judgement the printed figures contradict is refused.
        const byFigures = isNumericLimit(limit) ? (value !== undefined ? judge(value, limit) : bounded ? judgeBounded(bounded, limit) : undefined) : undefined;
        if (byFigures && byFigures !== manual) {
          errors[`manual.${sample.id}.${item.code}`] = `结果 ${text} ${byFigures === 'fail' ? '不符合' : '符合'}所列限值（${describeLimit(limit, item.unit)}），不能判为“${manual === 'pass' ? '符合' : '不符合'}”；如标准原文限值不同，请联系平台管理员核对更正该限值`;
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
        judgementBasis: needsTester ? 'tester' : isNumericLimit(limit) || notApplicable ? 'auto' : null,
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
  /** The company declared it a 强检 instrument (in a listed use): it is verified, never only calibrated. */
  compulsory?: boolean | null;
  /** As the booking names it ("(0～1.6) MPa"): the span an MPE in % of span ("±1.6%FS") is taken of. */
  measuringRange?: string | null;
}

/**
 * The longest validity a 检定证书 of the category may give, where the regulation's period was checked
 * (JJG 52—2013: a pressure gauge ≤ 6 months): a 合格 certificate valid longer would be wrong on its face.
 */
export interface VerificationPeriod {
  months: number;
  /** The regulation that sets it, named in the message ("JJG 52-2013"). */
  regulation: string;
  categoryName: string;
}

const CONCLUSIONS = ['pass', 'fail', 'calibrated'] as const;
export const CALIBRATION_CONCLUSION_LABELS: Record<(typeof CONCLUSIONS)[number], string> = { pass: '合格', fail: '不合格', calibrated: '校准（给出数据）' };

/** The default next due date of an instrument: today plus the category's verification period. */
export function defaultNextDue(today: string, periodMonths: number | null): string | null {
  return periodMonths ? dayjs(today).add(periodMonths, 'month').subtract(1, 'day').format('YYYY-MM-DD') : null;
}

/** An MPE as written: in the unit of the readings, a percentage of each nominal value, or of the span ("FS"). */
export interface Mpe {
  value: number;
  relative: boolean;
  /** Of the measuring span (JJG 52: a class 1.6 gauge errs at most 1.6 % of its span at every point). */
  ofSpan?: boolean;
}

/**
 * A maximum permissible error as a metrologist writes it: "±0.026" (in the unit of the readings), "±0.5%" (of the
 * nominal value) or "±1.6%FS" / "±1.6%量程" (of the measuring span); the sign may be left out. undefined otherwise.
 */
export function parseMpe(text: string): Mpe | undefined {
  const m = /^(?:±|\+-|\+\/-|＋－)?\s*(\d+(?:\.\d+)?)\s*(?:([%％])\s*(FS|F\.S\.|量程|满量程)?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  return value > 0 ? { value, relative: !!m[2], ...(m[3] ? { ofSpan: true } : {}) } : undefined;
}

/** The span of a measuring range as a form names it: "(0～1.6) MPa", "0-25 MPa", "(-0.1～0.9) MPa". */
export function spanOf(range: string | null | undefined): number | undefined {
  const m = /(-?\d+(?:\.\d+)?)\s*[～~〜\-–—至]\s*(-?\d+(?:\.\d+)?)/.exec((range ?? '').replace(/[（）()]/g, ' '));
  if (!m) return undefined;
  const span = Math.abs(Number(m[2]) - Number(m[1]));
  return span > 0 ? span : undefined;
}

/** The MPE at a check point, in the unit of the readings. */
function mpeAt(mpe: Mpe, nominal: number, span: number | undefined): number {
  if (mpe.ofSpan) return Number((((span ?? 0) * mpe.value) / 100).toPrecision(12));
  return mpe.relative ? Number(((Math.abs(nominal) * mpe.value) / 100).toPrecision(12)) : mpe.value;
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** Decimal places of a number as typed ("1.600" → 3, "10" → 0, "1.2e-3" → 4). */
function decimalsOf(text: string): number {
  const n = Number(text.trim().replace(/^＋/, '+').replace(/^－/, '-'));
  if (!Number.isFinite(n)) return 0;
  const m = /\.(\d+)/.exec(text);
  const exp = /e([+-]?\d+)$/i.exec(text.trim());
  return Math.min(12, Math.max(0, (m?.[1]?.length ?? 0) - (exp ? Number(exp[1]) : 0)));
}

/** A check point of a certificate: the error is measured − nominal; the MPE (when given) at that point. */
export interface CalibrationPoint {
  nominal: number;
  measured: number;
  error: number | null;
  mpe?: number | null;
  uncertainty: string | null;
}

/**
 * A certificate's conclusion follows from its data (JJF 1069 / CNAS-CL01 7.8): 合格 needs the check points and the
 * MPE and every error within it; 不合格 without a point beyond the MPE must say what failed; a calibration gives
 * each point's expanded uncertainty. The document must fit its basis: a service with only 校准规范 (JJF) cannot issue
 * a 检定证书, and a 强检 instrument is verified, not only calibrated.
 */
export function parseCalibrationResults(body: Body, instruments: InstrumentForResults[], today: string, standards: readonly string[] = [], period?: VerificationPeriod, lab?: CalibrationLab): ParsedResults {
  const errors: Record<string, string> = {};
  const rows: NewResult[] = [];
  // The place, temperature and humidity of the work, and each line's measurement standards (when the lab's are given:
  // the workbench always gives them; the rules below stand alone in their unit tests).
  const environment = lab ? parseEnvironment(body, errors) : undefined;
  // one certificate, one number: /verify finds a certificate by it
  const numbered = new Map<string, string>();
  const { regulations, specifications, calibrationOnly } = metrologyBasis(standards);
  for (const inst of instruments) {
    const base = `cal.${inst.id}`;
    const line = get(body.cal, itemKey(inst.id));
    const conclusion = str(get(line, 'conclusion'), 20);
    const certificateNo = str(get(line, 'certificateNo'), 60);
    const nextDueDate = str(get(line, 'nextDueDate'), 10);
    const remark = str(get(line, 'remark'), 300);
    const unit = str(get(line, 'unit'), 20);
    const mpeText = str(get(line, 'mpe'), 30);
    const label = `${inst.instrumentName ?? '器具'}（${inst.serialNo ?? ''}）`;
    const known = (CONCLUSIONS as readonly string[]).includes(conclusion);
    if (!known) errors[`${base}.conclusion`] = `请选择${label}的结论`;
    else if (conclusion !== 'calibrated' && calibrationOnly) {
      errors[`${base}.conclusion`] = `本服务依据校准规范（${specifications.join('、')}），没有检定规程：只能校准，出具校准证书`;
    } else if (conclusion === 'calibrated' && inst.compulsory && regulations.length) {
      errors[`${base}.conclusion`] = `该器具属强制检定：应按 ${regulations[0]} 检定，出具检定证书或检定结果通知书，不能只作校准`;
    }
    if (!certificateNo) errors[`${base}.certificateNo`] = `请填写${label}的证书编号`;
    else if (certificateNo.length > 40) errors[`${base}.certificateNo`] = '证书编号不能超过 40 个字符';
    else if (numbered.has(certificateNo.toUpperCase())) errors[`${base}.certificateNo`] = `证书编号 ${certificateNo} 与${numbered.get(certificateNo.toUpperCase())}的相同：每份证书的编号应唯一`;
    else numbered.set(certificateNo.toUpperCase(), label);
    if (nextDueDate) {
      if (!isIsoDate(nextDueDate)) errors[`${base}.nextDueDate`] = '下次检定/校准日期格式应为 年-月-日';
      else if (nextDueDate <= today) errors[`${base}.nextDueDate`] = '下次检定/校准日期应晚于今天';
      else if (nextDueDate > addDays(today, 366 * 10)) errors[`${base}.nextDueDate`] = '下次检定/校准日期不能超过 10 年';
    } else if (conclusion === 'pass') {
      errors[`${base}.nextDueDate`] = `请填写${label}的检定有效期（下次检定日期）`;
    }
    // A 校准证书 gives a recalibration date only when the customer asks for one (JJF 1071): the date stays optional.
    if (conclusion === 'pass' && period && isIsoDate(nextDueDate) && !errors[`${base}.nextDueDate`]) {
      const latest = addDays(addMonths(today, period.months), -1);
      if (nextDueDate > latest) errors[`${base}.nextDueDate`] = `${period.regulation} 规定${period.categoryName}的检定周期不超过 ${period.months} 个月：有效期至最迟 ${latest}`;
    }
    if (str(get(line, 'unit'), 100).length > 20) errors[`${base}.unit`] = '单位不能超过 20 个字符';
    const mpe = mpeText ? parseMpe(mpeText) : undefined;
    const span = spanOf(inst.measuringRange);
    if (mpeText && !mpe) errors[`${base}.mpe`] = '最大允许误差应写成“±0.026”（与读数同单位）、“±0.5%”（相对标称值）或“±1.6%FS”（量程的百分比）';
    else if (mpe?.ofSpan && span === undefined) errors[`${base}.mpe`] = `按量程百分比计算须有器具的测量范围（如 (0～1.6) MPa），本行为“${inst.measuringRange || '未填'}”：请改写为与读数同单位的数值`;
    // No regulation allows a fifth of the reading (±500 % was typed in a review and passed everything).
    else if (mpe?.relative && mpe.value > 20) errors[`${base}.mpe`] = `最大允许误差 ±${mpe.value}% 超出常理（相对误差一般不超过 ±20%），请核对检定规程`;
    else if (!mpeText && conclusion === 'pass') errors[`${base}.mpe`] = '判为合格须给出最大允许误差：结论由示值误差与之比较得出';
    const rawPoints = get(line, 'points');
    const points: CalibrationPoint[] = [];
    let badPoint = false;
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
          badPoint = true;
          return;
        }
        if (conclusion === 'calibrated' && !uncertainty) {
          errors[`${base}.points.${i}`] = `校准证书应给出第 ${i + 1} 个测量点的扩展不确定度 U（k=2）`;
          badPoint = true;
        }
        // The error to the decimals the readings were typed with: 10.001 − 10 is +0.001, not +0.000999999999999.
        const places = Math.max(decimalsOf(nominal), decimalsOf(measured));
        points.push({ nominal: n, measured: m, error: Number((m - n).toFixed(places)), ...(mpe ? { mpe: mpeAt(mpe, n, span) } : {}), uncertainty: uncertainty || null });
      });
    }
    // A certificate's data table names its unit in every heading ("标称值（MPa）"): readings without one mean nothing.
    if (points.length && !unit && !errors[`${base}.unit`]) errors[`${base}.unit`] = '请填写测量点读数的单位（如 MPa、kg、℃）';
    if (!points.length && !badPoint && (conclusion === 'pass' || conclusion === 'calibrated')) {
      errors[`${base}.points`] = conclusion === 'pass' ? '请填写检定的测量点（标称值、实测值）：合格须由数据得出' : '请填写校准的测量点（标称值、实测值、扩展不确定度）';
    }
    const beyond = points.findIndex((p) => p.mpe != null && Math.abs(p.error ?? 0) > p.mpe);
    if (conclusion === 'pass' && beyond >= 0 && !errors[`${base}.conclusion`]) {
      const p = points[beyond]!;
      errors[`${base}.conclusion`] = `第 ${beyond + 1} 点（标称值 ${p.nominal}）示值误差 ${signed(p.error!)} 超出最大允许误差 ±${p.mpe}：不能判为合格`;
    }
    if (conclusion === 'fail' && !remark && beyond < 0) {
      errors[`${base}.remark`] = points.length && mpe ? '各测量点均在最大允许误差内：判为不合格请在备注写明不合格的项目（如外观、密封性）' : '请在备注写明不合格的项目或原因';
    }
    const usedStandards = lab && known ? parseLineStandards(get(line, 'standards'), lab, today, label, `${base}.standards`, errors) : [];
    if (known) {
      rows.push({
        bookingItemId: inst.id,
        conclusion,
        certificateNo,
        ...(environment ? { conditions: { ...environment, standards: usedStandards } } : {}),
        // 不合格: no validity to give; a date typed (or left from the form's default) is not printed as 复检日期
        nextDueDate: conclusion === 'fail' ? null : nextDueDate || null,
        points: points.length ? points : null,
        unit: unit || null,
        // The MPE as written, kept with the line like an oil result's limit: the certificate prints it as judged.
        limitText: mpe ? mpeText.replace(/^(?:±|\+-|\+\/-|＋－)?\s*/, '±') : null,
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
