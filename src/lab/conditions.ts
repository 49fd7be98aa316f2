import type { CalibrationConditions } from '../db/schema.js';
import { parseMeasured } from './judgement.js';

/** A standard the node may name on a certificate, as the results form offers it. */
export interface StandardForResults {
  id: number;
  name: string;
  certificateNo: string;
  measuringRange: string;
  accuracy: string;
  validUntil: string;
  categoryCodes: string[];
}

/** The lab's side of a calibration's results: its standards in service and the category the booking's service is for. */
export interface CalibrationLab {
  standards: StandardForResults[];
  categoryCode: string | null;
}

/** The standards the form offers for a category: those kept for it (all the node's when none is). */
export function standardsFor(lab: CalibrationLab): StandardForResults[] {
  const kept = lab.standards.filter((s) => lab.categoryCode !== null && s.categoryCodes.includes(lab.categoryCode));
  return kept.length ? kept : lab.standards;
}

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * The place and environment of the work, typed once for the booking (JJF 1071: a certificate states where, and at what
 * temperature and humidity, it was made). Messages under `conditions.*`.
 */
export function parseEnvironment(body: Record<string, unknown>, errors: Record<string, string>): Omit<CalibrationConditions, 'standards'> {
  const c = body.conditions && typeof body.conditions === 'object' ? (body.conditions as Record<string, unknown>) : {};
  const place = text(c.place, 80);
  const temperature = text(c.temperature, 12).replace(/\s*℃$/, '');
  const humidity = text(c.humidity, 12).replace(/\s*%\s*(RH)?$/i, '');
  if (!place) errors['conditions.place'] = '请填写检定/校准地点（如本站实验室，或委托方现场地址）';
  // plain decimals as a thermometer shows them (1e1 or -0 would be printed as typed on the certificate)
  const t = /^-?\d{1,2}(\.\d{1,2})?$/.test(temperature) && temperature !== '-0' ? parseMeasured(temperature) : undefined;
  if (!temperature) errors['conditions.temperature'] = '请填写环境温度（℃）';
  else if (t === undefined || t < -30 || t > 60) errors['conditions.temperature'] = '环境温度应为 −30～60 之间的数值（℃），如 20.5';
  const h = /^\d{1,3}(\.\d{1,2})?$/.test(humidity) ? parseMeasured(humidity) : undefined;
  if (!humidity) errors['conditions.humidity'] = '请填写相对湿度（%RH）';
  else if (h === undefined || h < 0 || h > 100) errors['conditions.humidity'] = '相对湿度应为 0～100 之间的数值（%RH），如 55';
  return { place, temperature, humidity };
}

/**
 * The standards a line names: at least one, each one of the node's in service for the category, and within its
 * 考核证书's validity on the day (a certificate traced to an expired standard is not valid). Snapshot as printed.
 */
export function parseLineStandards(raw: unknown, lab: CalibrationLab, today: string, label: string, key: string, errors: Record<string, string>): CalibrationConditions['standards'] {
  const offered = standardsFor(lab);
  const listed = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).slice(0, 20).map((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : NaN));
  const ids = [...new Set(listed)]; // each standard once, however often a request names it
  if (offered.length === 0) {
    errors[key] = '本网点尚未登记可用于该类器具的计量标准，不能出具证书：请节点负责人在“网点管理 → 计量标准”中登记';
    return [];
  }
  if (ids.length === 0) {
    errors[key] = `请选择${label}检定/校准所用的计量标准`;
    return [];
  }
  const chosen = ids.map((id) => offered.find((s) => s.id === id));
  if (chosen.some((s) => !s)) {
    errors[key] = '请选择本网点在用的计量标准';
    return [];
  }
  const expired = chosen.find((s) => s!.validUntil < today);
  if (expired) {
    errors[key] = `计量标准“${expired.name}”的考核证书已于 ${expired.validUntil} 到期，不能用于检定/校准：请选用其他计量标准，或复查换证后重新登记`;
    return [];
  }
  return chosen.map((s) => ({ name: s!.name, certificateNo: s!.certificateNo, measuringRange: s!.measuringRange, accuracy: s!.accuracy, validUntil: s!.validUntil }));
}
