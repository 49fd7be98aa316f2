import { parseBounded, parseMeasured } from './judgement.js';

/**
 * Used lubricating oil in a residual marine fuel (ISO 8217:2017, table 2): the fuel contains ULO when calcium is above
 * 30 mg/kg and zinc above 15 mg/kg, or calcium above 30 mg/kg and phosphorus above 15 mg/kg. The lab measures the three
 * elements (IP 501 / IP 470 / IP 500); the line is judged from them, not by the tester's word.
 */
export const ULO_ITEM = 'OIL-ULO';

export const ULO_ELEMENTS = [
  { key: 'ca', symbol: 'Ca', name: '钙', threshold: 30 },
  { key: 'zn', symbol: 'Zn', name: '锌', threshold: 15 },
  { key: 'p', symbol: 'P', name: '磷', threshold: 15 },
] as const;

type ElementKey = (typeof ULO_ELEMENTS)[number]['key'];

/** How the line prints: "Ca 45 / Zn 20 / P 18" (mg/kg). */
export function uloText(values: Record<ElementKey, string>): string {
  return ULO_ELEMENTS.map((e) => `${e.symbol} ${values[e.key]}`).join(' / ');
}

/** The three values back from the printed text, for a form filled in again. */
export function uloValuesOf(text: string | null | undefined): Partial<Record<ElementKey, string>> {
  const values: Partial<Record<ElementKey, string>> = {};
  for (const e of ULO_ELEMENTS) {
    const m = new RegExp(`${e.symbol}\\s+([<>]?\\s*[0-9.]+)`).exec(text ?? '');
    if (m) values[e.key] = m[1]!.replace(/\s+/g, '');
  }
  return values;
}

/** What an element's content can be in a fuel: 0 to 10 000 mg/kg (1 %), written as a plain decimal. */
const PLAIN = /^\d{1,5}(\.\d{1,3})?$/;
const MAX_MG_PER_KG = 10_000;

/** Whether a value is above the threshold: a bound decides only when it lies on the right side of it. */
function above(text: string, threshold: number): boolean | undefined {
  const value = PLAIN.test(text) ? parseMeasured(text) : undefined;
  if (value !== undefined) return value > threshold;
  const bounded = parseBounded(text);
  if (!bounded || !PLAIN.test(text.replace(/^[<>]\s*/, '')) || bounded.bound <= 0) return undefined;
  if (bounded.relation === '<') return bounded.bound <= threshold ? false : undefined;
  return bounded.bound >= threshold ? true : undefined;
}

/**
 * The three fields of the ULO line: each a value in mg/kg, or "<1" below the method's limit. Returns the printed text and
 * the judgement, or the message of the first field that cannot be read.
 */
export function parseUlo(raw: unknown): { text: string; judgement: 'pass' | 'fail' } | { error: string } {
  const fields = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const values = {} as Record<ElementKey, string>;
  const isAbove = {} as Record<ElementKey, boolean>;
  for (const e of ULO_ELEMENTS) {
    const text = typeof fields[e.key] === 'string' ? (fields[e.key] as string).trim().replace(/^＜/, '<').replace(/^＞/, '>').slice(0, 20) : '';
    if (!text) return { error: `请填写废润滑油（ULO）的${e.name}（${e.symbol}）含量，mg/kg` };
    const figure = Number(text.replace(/^[<>]\s*/, ''));
    if (PLAIN.test(text.replace(/^[<>]\s*/, '')) && figure > MAX_MG_PER_KG) return { error: `${e.name}（${e.symbol}）含量 ${text} mg/kg 超出合理范围（0 – ${MAX_MG_PER_KG} mg/kg），请核对` };
    const decided = above(text, e.threshold);
    if (decided === undefined) {
      return !PLAIN.test(text.replace(/^[<>]\s*/, '')) || (text.startsWith('<') && figure <= 0)
        ? { error: `${e.name}（${e.symbol}）含量应填写 0 – ${MAX_MG_PER_KG} 的数值（mg/kg），低于测定下限时填写“<1”` }
        : { error: `${e.name}（${e.symbol}）含量 ${text} 不能判定是否超过 ${e.threshold} mg/kg：请填写实测值` };
    }
    values[e.key] = text.replace(/\s+/g, '');
    isAbove[e.key] = decided;
  }
  return { text: uloText(values), judgement: isAbove.ca && (isAbove.zn || isAbove.p) ? 'fail' : 'pass' };
}
