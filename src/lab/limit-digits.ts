/**
 * How a specification prints its limits: ISO 8217 writes "991.0", "0.50", "0.010", "380.0" — the number of digits is
 * part of the limit (it says how finely the result is read), so "≤ 991" or "≤ 0.5" is not what the standard says.
 * Digits per characteristic as in ISO 8217:2017 Tables 1 and 2 (viscosity in four significant figures, as ISO 3104
 * reports it); the statutory sulphur limits of MARPOL Annex VI as 0.50 and 0.10. Other specifications print the
 * stored value as it is.
 */
export type LimitDigits = { decimals: number } | { significant: number };

const ISO_8217: Record<string, LimitDigits> = {
  'OIL-KV40': { significant: 4 },
  'OIL-KV50': { significant: 4 },
  'OIL-DEN15': { decimals: 1 },
  'OIL-CI': { decimals: 0 },
  'OIL-CCAI': { decimals: 0 },
  'OIL-S-PCT': { decimals: 2 },
  'OIL-FP-PM': { decimals: 1 },
  'OIL-H2S': { decimals: 2 },
  'OIL-AN': { decimals: 1 },
  'OIL-TSA': { decimals: 2 },
  'OIL-TSH': { decimals: 2 },
  'OIL-OXS-ISO': { decimals: 0 },
  'OIL-MCR': { decimals: 2 },
  'OIL-MCR10': { decimals: 2 },
  'OIL-CLOUD': { decimals: 0 },
  'OIL-POUR': { decimals: 0 },
  'OIL-WATER': { decimals: 2 },
  'OIL-ASH': { decimals: 3 },
  'OIL-LUB': { decimals: 0 },
  'OIL-V': { decimals: 0 },
  'OIL-NA': { decimals: 0 },
  'OIL-ALSI': { decimals: 0 },
  'OIL-FAME': { decimals: 1 },
};

/** The printing rule of a limit of this item from this source ("ISO 8217:2017 表 2", "MARPOL 附则Ⅵ …"). */
export function limitDigits(itemCode: string, source: string | null | undefined): LimitDigits | undefined {
  if (!source) return undefined;
  if (source.startsWith('ISO 8217')) return ISO_8217[itemCode];
  if (source.startsWith('MARPOL') && itemCode === 'OIL-S-PCT') return { decimals: 2 };
  return undefined;
}

/** A limit value as its specification prints it. */
export function printedLimitValue(value: number, digits: LimitDigits | undefined): string {
  if (!digits) return String(value);
  if ('decimals' in digits) return value.toFixed(digits.decimals);
  const whole = value === 0 ? 1 : Math.max(1, Math.floor(Math.log10(Math.abs(value))) + 1);
  return value.toFixed(Math.max(0, digits.significant - whole));
}
