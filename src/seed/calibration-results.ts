import type { CalibrationConditions } from '../db/schema.js';
import type { StandardRow } from '../standards/standards.repo.js';

/**
 * The instruments of the demo history's most booked calibration services, and the measurement data of their
 * certificates: a range, accuracy class and models a company would bring, the check points the regulation names, and
 * readings within the maximum permissible error (one point beyond it on a 不合格 result), with the expanded
 * uncertainty a calibration certificate gives. Services not listed here keep certificates without a data table.
 */

type Rand = () => number;

interface DemoInstrument {
  range: string;
  accuracyClasses: string[];
  models: string[];
  /** Nominal values of the check points, in the unit of the range. */
  points: number[];
  /** Maximum permissible error at a point (absolute, in the same unit). */
  mpe: (nominal: number) => number;
  decimals: number;
  /** Expanded uncertainty (k = 2) as a calibration certificate prints it. */
  uncertainty: string;
  /** The unit of the readings. */
  unit: string;
}

const DEMO_INSTRUMENTS: Record<string, DemoInstrument> = {
  'CAL-PG': { range: '（0～1.6）MPa', accuracyClasses: ['1.6', '2.5'], models: ['Y-100', 'Y-60', 'YN-100'], points: [0, 0.4, 0.8, 1.2, 1.6], mpe: () => 0.026, decimals: 3, uncertainty: '0.008 MPa', unit: 'MPa' },
  'CAL-DIS': { range: '（0～300）kg，e = 0.1 kg', accuracyClasses: ['Ⅲ'], models: ['TCS-300', 'ACS-30', 'XK3190'], points: [0, 10, 50, 150, 300], mpe: (n) => (n <= 50 ? 0.05 : n <= 200 ? 0.1 : 0.15), decimals: 2, uncertainty: '0.03 kg', unit: 'kg' },
  'CAL-EBAL': { range: '（0～220）g，d = 0.1 mg', accuracyClasses: ['Ⅰ'], models: ['FA2204B', 'ME204E', 'BSA224S'], points: [0, 20, 50, 100, 200], mpe: (n) => (n <= 50 ? 0.0005 : n <= 200 ? 0.001 : 0.0015), decimals: 4, uncertainty: '0.2 mg', unit: 'g' },
  'CAL-CGD': { range: '（0～100）%LEL', accuracyClasses: ['—'], models: ['GT-2000', 'SP-1102', 'KB501'], points: [20, 40, 60], mpe: () => 5, decimals: 1, uncertainty: '1.5 %LEL', unit: '%LEL' },
  'CAL-LIGT': { range: '（0～100）℃，分度值 1 ℃', accuracyClasses: ['—'], models: ['全浸式', '局浸式'], points: [0, 20, 50, 80, 100], mpe: () => 1, decimals: 1, uncertainty: '0.15 ℃', unit: '℃' },
  'CAL-TW': { range: '（20～100）N·m', accuracyClasses: ['4 级'], models: ['TB-100', 'NB-100', 'QD-100'], points: [20, 60, 100], mpe: (n) => n * 0.04, decimals: 1, uncertainty: '0.8 %', unit: 'N·m' },
  'CAL-BP': { range: '（0～300）mmHg', accuracyClasses: ['—'], models: ['YE660', 'HEM-7121', '台式水银'], points: [0, 50, 100, 150, 200, 250], mpe: () => 3, decimals: 0, uncertainty: '0.8 mmHg', unit: 'mmHg' },
};

/** What the history's booking form says of an instrument of this service (range, class, model; null when unlisted). */
export function demoInstrument(serviceCode: string, pick: <T>(xs: T[]) => T): { measuringRange: string | null; accuracyClass: string | null; model: string } {
  const known = DEMO_INSTRUMENTS[serviceCode];
  const model = pick(known?.models ?? ['—']);
  const cls = pick(known?.accuracyClasses ?? ['—']);
  return { measuringRange: known?.range ?? null, accuracyClass: cls === '—' ? null : cls, model };
}

export interface DemoPoint {
  nominal: number;
  measured: number;
  error: number | null;
  mpe: number;
  uncertainty: string | null;
}

/**
 * The data table of a certificate — within the MPE, one point beyond it when the result is 不合格 — and, on a 不合格
 * result, the remark a 检定结果通知书 gives: which point failed and by how much. No table for an unlisted service.
 */
export function demoCalibration(serviceCode: string, conclusion: string, rand: Rand): { points: DemoPoint[] | null; unit: string | null; limitText: string | null; remark: string | null } {
  const known = DEMO_INSTRUMENTS[serviceCode];
  if (!known) return { points: null, unit: null, limitText: null, remark: conclusion === 'fail' ? '示值误差超出检定规程规定的最大允许误差。' : null };
  const f = 10 ** known.decimals;
  const beyond = conclusion === 'fail' ? Math.floor(rand() * known.points.length) : -1;
  const points = known.points.map((nominal, i) => {
    const mpe = known.mpe(nominal);
    const share = i === beyond ? 1.3 + rand() * 0.5 : (rand() * 2 - 1) * 0.6;
    const error = Math.round(mpe * share * f) / f;
    return { nominal, measured: Math.round((nominal + error) * f) / f, error, mpe: Math.round(mpe * f) / f, uncertainty: conclusion === 'calibrated' ? known.uncertainty : null };
  });
  // The MPE as the tester writes it on the line, where one value holds at every point (a scale's steps do not).
  const mpes = new Set(points.map((p) => p.mpe));
  const limitText = mpes.size === 1 ? `±${points[0]!.mpe}` : null;
  const failed = points[beyond];
  const remark = failed ? `第 ${beyond + 1} 点（标称值 ${failed.nominal}）示值误差 +${failed.error}，超出最大允许误差 ±${Math.round(known.mpe(failed.nominal) * f) / f}（${known.range}）。` : null;
  return { points, unit: known.unit, limitText, remark };
}

/**
 * Where and how a demo certificate was made: the node's lab (or the customer's site), a laboratory's temperature and
 * humidity, and the node's standards for the category that were in date on the day — as the lab's form records them.
 */
export function demoConditions(inService: StandardRow[], q: { nodeId: number; category: string | null; day: string; place: string }, rand: Rand): CalibrationConditions {
  const standards = inService
    .filter((s) => s.nodeId === q.nodeId && s.validUntil >= q.day && (q.category === null || s.categoryCodes.includes(q.category)))
    .map((s) => ({ name: s.name, certificateNo: s.certificateNo, measuringRange: s.measuringRange, accuracy: s.accuracy, validUntil: s.validUntil }));
  return { place: q.place, temperature: (18.5 + rand() * 3.5).toFixed(1), humidity: String(45 + Math.floor(rand() * 20)), standards };
}
