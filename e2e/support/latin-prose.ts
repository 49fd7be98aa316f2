/**
 * Finds Latin-script prose in what a page shows: English notes ("believed listed as 压力仪表"), internal state codes
 * (`in_progress`) and record references ("booking #702") — text a Chinese user should never read.
 *
 * Latin text that belongs on a Chinese page is taken out first: URLs, e-mail addresses, standard numbers (ISO, GB/T,
 * JJG, ASTM, IP, SH/T …), booking / report / certificate numbers and other codes (letters with digits), credit codes,
 * hashes, units (mm²/s, mg KOH/g, kPa …), chemical symbols and a short list of abbreviations and product names that
 * users know as such (PDF, BDN, VLSFO, MARPOL, CCAI, QR …). What is left is judged word by word:
 * - an identifier with an underscore (`in_progress`, `oil_test`),
 * - an all-lowercase word of four or more letters (`booking`, `pending`, `generally`),
 * - two or more words in a row, not separated by Chinese text (“same as”, “Scope wording”).
 */

/** Abbreviations, acronyms and names shown as they are (compared case-sensitively). */
export const ALLOWED_WORDS = new Set([
  // file formats and tools
  'PDF', 'XLSX', 'XLS', 'DOCX', 'DOC', 'CSV', 'JSON', 'API', 'OpenAPI', 'Excel', 'Word', 'WPS', 'JPG', 'JPEG', 'PNG', 'SVG', 'HTML', 'URL', 'QR', 'SHA', 'ID', 'Tab',
  // bunkering and fuels
  'BDN', 'VLSFO', 'HSFO', 'ULSFO', 'MGO', 'MDO', 'LSMGO', 'MARPOL', 'ECA', 'SECA', 'CCAI', 'CII', 'ULO', 'FAME', 'IMO', 'MEPC', 'EGCS', 'LNG', 'LPG', 'ICP', 'XRF', 'MCR', 'TSA', 'TSP', 'TSE', 'RM', 'DM', 'DF', 'VI', 'KOH', 'VIA',
  // certification, accreditation, institutions
  'CMA', 'CCC', 'CNAS', 'CNCA', 'SAMR', 'NQI', 'ISO', 'IEC', 'GB', 'JJG', 'JJF', 'ASTM', 'IP', 'SH', 'NB', 'EN', 'DIN', 'HJ', 'JB', 'QB', 'GBT', 'T', 'IATF', 'HACCP', 'OHSAS', 'ISO/IEC', 'CQC', 'SGS',
  // statistics and misc.
  'P50', 'P90', 'P99', 'KPI', 'TOP', 'Top', 'VS', 'vs', 'No', 'NO', 'A4', 'OK', 'UTC', 'GMT', 'ECharts', 'Bootstrap', 'Chromium', 'PGlite', 'PostgreSQL', 'IPv4', 'IPv6',
]);

/** Units and chemical symbols (case-sensitive; compound units are split at "/", "·" and spaces before the check). */
export const UNITS = new Set([
  'mm', 'cm', 'dm', 'km', 'm', 'μm', 'um', 'nm', 'mg', 'kg', 'g', 't', 'mL', 'ml', 'L', 'l', 'dL', 'h', 'min', 's', 'ms', 'd', 'a',
  'Pa', 'kPa', 'MPa', 'hPa', 'mPa', 'bar', 'mbar', 'mmHg', 'mmH', 'psi', 'N', 'kN', 'J', 'kJ', 'MJ', 'W', 'kW', 'kWh', 'Wh', 'V', 'mV', 'kV', 'A', 'mA', 'Ω', 'Hz', 'kHz',
  'dB', 'lx', 'cd', 'K', 'mol', 'mmol', 'ppm', 'ppb', 'cSt', 'cP', 'rpm', 'r', 'pH', 'S', 'mS', 'μS', 'uS', 'eq', 'vol', 'wt', 'mass', 'rad', 'sr', 'Gy', 'Sv', 'Bq',
  'Ca', 'Zn', 'Na', 'Al', 'Si', 'Fe', 'Ni', 'Mg', 'Cu', 'Pb', 'Cr', 'Mn', 'Mo', 'Ba', 'Sn', 'Cl', 'Br', 'Co', 'Ti', 'Hg', 'Cd', 'As', 'Se', 'P', 'O', 'C', 'H', 'CO', 'NO', 'NOx', 'SOx', 'SO', 'NH', 'CH', 'COD', 'BOD', 'TOC', 'HS',
]);

/** Latin text that is not prose, taken out before the words are judged (order matters: longest shapes first). */
const NOT_PROSE: RegExp[] = [
  /\bhttps?:\/\/[^\s<>"'，。、）]+/g, // URLs
  /\bhttps?:\/\//g, // a scheme named alone (接收地址（http:// 或 https://）)
  /\bnqi_[\w-]+…?/g, // API key prefixes
  /\b(?:booking|report|instrument)\.[a-z_]+\b/g, // webhook event names (an integration's codes)
  /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, // e-mail addresses
  /\b[0-9a-f]{32,}\b/gi, // hashes
  /[\w.-]*\.(?:xlsx|xls|csv|pdf|docx|doc|json|ics|png|jpe?g)\b/gi, // file names and extensions: list.pdf, “（.xlsx）”
  /\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b/g, // unified social credit codes
  // standard numbers: ISO 8217:2017, GB/T 265—1988, JJG 52-2013, ASTM D7042, IP 570, SH/T 0248, ISO/IEC 17025, EN 14214, NB/SH/T 0812
  /\b(?:ISO(?:\/IEC)?|IEC|GB(?:\/T|\/Z)?|JJG|JJF|ASTM|IP|SH\/T|NB\/SH\/T|NB\/T|EN|DIN|HJ|JB\/T|QB\/T|SN\/T|GBZ|CNAS-[A-Z]+|RB\/T|T\/[A-Z]+)\s?[A-Z]?\d[\w.:/—–-]*(?:\s?(?:Part|Amd)\s?\d+)?/g,
  /\b[A-Za-z]*\d[\w\-/.:#]*/g, // codes with digits: JL-20261127-0001, NQI-2026-JL-000123, RMG380, D4294, P90, SHA-256's 256, Y-100
  /\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b/g, // service and package codes: CAL-PG, PKG-RM-FULL
  /\b[A-Z][A-Z0-9]*\b/g, // acronyms and upper-case codes: RMG, DMA, VLSFO, CCAI
];

export interface ProseFinding {
  /** The offending words, as they appear. */
  text: string;
  /** Some text around them, to find them on the page. */
  context: string;
  reason: 'identifier' | 'lowercase word' | 'words in a row';
}

const WORD = /[A-Za-z][A-Za-z'’_]*/g;
/** What may stand between two words of one run: spaces and punctuation, no Chinese, no line break. */
const RUN_GAP = /^[ \t,;:'"()!?.&+=<>/\\-]{1,4}$/;

/** English abbreviations too short for the word rules (their letters look like units). */
const ABBREVIATIONS = /\b(?:e\.g|i\.e|etc|approx|incl|cf)\./g;

function around(text: string, start: number, end: number): string {
  return text.slice(Math.max(0, start - 20), Math.min(text.length, end + 20)).replace(/\s+/g, ' ');
}

function isAllowed(word: string): boolean {
  return ALLOWED_WORDS.has(word) || UNITS.has(word);
}

/** Latin-script prose in `text` (a page's visible text); an empty list when there is none. */
export function findLatinProse(text: string): ProseFinding[] {
  const findings: ProseFinding[] = [...text.matchAll(ABBREVIATIONS)].map((m) => ({ text: m[0], context: around(text, m.index, m.index + m[0].length), reason: 'words in a row' as const }));
  let cleaned = text;
  for (const pattern of NOT_PROSE) cleaned = cleaned.replace(pattern, (m) => '\u3000'.repeat(m.length));
  const words = [...cleaned.matchAll(WORD)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length })).filter((w) => !isAllowed(w.word));
  let run: typeof words = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const phrase = text.slice(first.start, last.end);
    const context = around(text, first.start, last.end);
    if (run.some((w) => w.word.includes('_'))) findings.push({ text: phrase, context, reason: 'identifier' });
    else if (run.length >= 2) findings.push({ text: phrase, context, reason: 'words in a row' });
    else if (/^[a-z'’]{4,}$/.test(first.word)) findings.push({ text: phrase, context, reason: 'lowercase word' });
    run = [];
  };
  for (const w of words) {
    const previous = run[run.length - 1];
    if (previous && !RUN_GAP.test(text.slice(previous.end, w.start))) flush();
    run.push(w);
  }
  flush();
  return findings;
}
