import type ExcelJS from 'exceljs';
import { loadExcel } from '../shared/excel.js';
import type JSZip from 'jszip';
import type { LedgerCategory } from './categories.js';
import { COMPULSORY_USES, INSTRUMENT_STATUSES, LEDGER_CONCLUSIONS, REGIMES } from './rules.js';

/* The XLSX template of the ledger import and the reader of filled-in files (exceljs). */

export const MAX_IMPORT_ROWS = 5_000;
const SHEET = '计量器具台账';
const CATEGORY_SHEET = '器具类别';

/** The template's columns: header (what the user reads) → form field. `*` marks the required ones. */
export const COLUMNS = [
  { header: '器具名称*', field: 'name', width: 22 },
  { header: '器具类别*', field: 'categoryCode', width: 30 },
  { header: '型号规格', field: 'model', width: 14 },
  { header: '出厂编号*', field: 'serialNo', width: 18 },
  { header: '制造单位', field: 'manufacturer', width: 22 },
  { header: '测量范围', field: 'measuringRange', width: 16 },
  { header: '准确度等级', field: 'accuracyClass', width: 10 },
  { header: '使用部门', field: 'department', width: 14 },
  { header: '使用地点', field: 'location', width: 18 },
  { header: '是否强检*', field: 'compulsory', width: 10 },
  { header: '强检用途', field: 'compulsoryUse', width: 12 },
  { header: '检定方式', field: 'regime', width: 18 },
  { header: '周期（月）', field: 'periodMonths', width: 10 },
  { header: '状态', field: 'status', width: 8 },
  { header: '上次检定/校准日期', field: 'lastCalibrationDate', width: 16 },
  { header: '证书编号', field: 'certificateNo', width: 18 },
  { header: '检定/校准结论', field: 'conclusion', width: 12 },
  { header: '下次检定/校准日期', field: 'nextDueDate', width: 16 },
] as const;

export type ImportField = (typeof COLUMNS)[number]['field'];

const INSTRUCTIONS = [
  '计量器具台账导入模板 · 填写说明',
  '',
  '1. 在“计量器具台账”工作表中每行填写一台器具，第 1 行是表头，请勿修改或删除；带 * 的列必须填写。一次最多导入 5000 行。',
  '2. 器具类别：从下拉列表中选择（与平台服务目录一致），各类别的依据规程、强检用途和参考周期见“器具类别”工作表。',
  '3. 出厂编号：同一类别内不能重复；与本企业台账中已有器具重复的行会在预览中标出，不会导入。',
  '4. 是否强检：填“是”或“否”。强检器具须填写强检用途（贸易结算、安全防护、医疗卫生、环境监测），且应是该类别列入《实施强制管理的计量器具目录》的用途。',
  '5. 检定方式：水表、燃气表等只做首次强制检定、限期使用的器具选“首次强检，限期使用”，周期填使用期限（月），上次检定日期填首次检定日期；其余选“周期检定 / 校准”或不填。',
  '6. 日期写成 2026-03-15（也可以使用 Excel 的日期格式）。上次检定/校准日期不能晚于今天。',
  '7. 下次检定/校准日期：请按证书上的有效期填写；不填时按“上次日期 + 周期”推算。未填周期的按该类别的参考周期推算——参考周期大多未经核实，请以检定/校准证书为准。',
  '8. 状态：在用、停用、封存、报废，不填按“在用”。检定/校准结论：合格、不合格、校准。',
  '9. 上传后系统先显示预览：每行的问题（如“第 12 行：出厂编号为空”）和重复的器具都会列出。确认后一次性导入全部有效行；导入失败时不会导入任何一行。',
];

/** The template workbook: instructions, the ledger sheet with drop-downs, and the category list they draw from. */
export async function buildTemplate(categories: LedgerCategory[]): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  wb.creator = '舟山市质量基础设施一站式服务平台';
  const help = wb.addWorksheet('填写说明');
  INSTRUCTIONS.forEach((line, i) => (help.getCell(i + 1, 1).value = line));
  help.getRow(1).font = { bold: true, size: 14 };
  help.getColumn(1).width = 150;

  const sheet = wb.addWorksheet(SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((c) => ({ header: c.header, key: c.field, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  for (const key of ['serialNo', 'model', 'certificateNo'] as const) sheet.getColumn(key).numFmt = '@';
  for (const key of ['lastCalibrationDate', 'nextDueDate'] as const) sheet.getColumn(key).numFmt = 'yyyy-mm-dd';

  const cats = wb.addWorksheet(CATEGORY_SHEET);
  cats.columns = [
    { header: '器具类别', key: 'name', width: 36 },
    { header: '专业', key: 'discipline', width: 12 },
    { header: '依据规程', key: 'regulations', width: 40 },
    { header: '强检用途（列入目录的）', key: 'uses', width: 24 },
    { header: '参考周期（月）', key: 'period', width: 14 },
    { header: '说明', key: 'note', width: 40 },
  ];
  cats.getRow(1).font = { bold: true };
  for (const c of categories) {
    cats.addRow({
      name: c.name,
      discipline: c.discipline,
      regulations: c.regulations.join('、'),
      uses: c.uses.map((u) => COMPULSORY_USES[u]).join('、') || '非强检（作为工作计量器具）',
      period: c.periodMonths ?? '',
      note: c.regimeOptions.length ? c.regimeOptions.map((o) => o.label).join('；') : c.periodVerified ? '周期依据规程' : '参考周期未经核实，以证书为准',
    });
  }

  const last = MAX_IMPORT_ROWS + 1;
  const list = (formula: string, prompt: string) => ({ type: 'list' as const, allowBlank: true, formulae: [formula], showErrorMessage: true, errorTitle: '请从列表中选择', error: prompt });
  const col = (field: ImportField) => sheet.getColumn(field).letter;
  // Range validations exist in exceljs 4 (worksheet.dataValidations) but are missing from its type definitions.
  const validations = (sheet as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  validations.add(`${col('categoryCode')}2:${col('categoryCode')}${last}`, list(`'${CATEGORY_SHEET}'!$A$2:$A$${categories.length + 1}`, '请从下拉列表中选择器具类别'));
  validations.add(`${col('compulsory')}2:${col('compulsory')}${last}`, list('"是,否"', '请填“是”或“否”'));
  validations.add(`${col('compulsoryUse')}2:${col('compulsoryUse')}${last}`, list(`"${Object.values(COMPULSORY_USES).join(',')}"`, '请选择强检用途'));
  validations.add(`${col('regime')}2:${col('regime')}${last}`, list(`"${Object.values(REGIMES).join(',')}"`, '请选择检定方式'));
  validations.add(`${col('status')}2:${col('status')}${last}`, list(`"${Object.values(INSTRUMENT_STATUSES).join(',')}"`, '请选择状态'));
  validations.add(`${col('conclusion')}2:${col('conclusion')}${last}`, list(`"${Object.values(LEDGER_CONCLUSIONS).join(',')}"`, '请选择结论'));
  wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 1, visibility: 'visible' }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A cell as text: rich text joined, formulas by their result, Excel dates as 年-月-日. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  // exceljs reads an Excel date (which has no time zone) as midnight UTC of that day
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    return '';
  }
  return String(value);
}

/** "2025/3/1", "2025.3.1", "2025年3月1日", "20250301" → "2025-03-01"; anything else is returned as typed (and refused). */
export function normaliseDate(text: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : text;
}

export class WorkbookError extends Error {}

/** What a filled-in template can hold unpacked: 5 000 rows of the template are ~2 MB of XML. */
const MAX_UNPACKED_BYTES = 40 * 1024 * 1024;
/** Rows and columns a sheet may reach (a few blank rows between filled ones are fine; a cell at row 1 048 576 is not). */
const MAX_SHEET_ROW = MAX_IMPORT_ROWS * 2;
const MAX_SHEET_COLUMN = 200;
/**
 * Cells in the whole file: a full template (its rows × its columns) and its two help sheets, with room to spare. Each
 * cell costs the spreadsheet library memory before the rows are read: 10 000 rows × 200 empty cells (a 5 MB file
 * within every other bound) took 3 s and ~350 MB per upload in an attack review.
 */
const MAX_CELLS = (MAX_IMPORT_ROWS + 200) * 30;
/**
 * Cells covered by merged ranges and data validations: the library makes an object for every cell of each, so a 13 KB
 * file merging A2:GR5001 cost 150 MB. The template validates 6 columns of its 5 000 rows; twice that is room enough.
 */
const MAX_RANGE_CELLS = (MAX_IMPORT_ROWS + 200) * 12;

/** The cells a range covers ("B2:B5001", "A1"), or Infinity for what is not a bounded range or reaches past the sheet we read. */
function rangeArea(ref: string): number {
  const m = /^([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?$/.exec(ref.replace(/\$/g, ''));
  if (!m) return Infinity;
  const [c1, r1, c2, r2] = [columnNumber(m[1]!), Number(m[2]), columnNumber(m[3] ?? m[1]!), Number(m[4] ?? m[2])];
  if (Math.max(c1, c2) > MAX_SHEET_COLUMN || Math.max(r1, r2) > MAX_SHEET_ROW) return Infinity;
  return (Math.abs(c2 - c1) + 1) * (Math.abs(r2 - r1) + 1);
}

const UNREADABLE = '无法读取这个 Excel 文件，文件可能已损坏。请用 Excel 或 WPS 另存为 .xlsx 后再上传。';
const TOO_MANY_ROWS = `一次最多导入 ${MAX_IMPORT_ROWS} 行，这个文件超过了。请分成几个文件分别导入。`;

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** An entry's content, unpacked by streaming and counted as it comes: a zip that lies about its sizes stops at `budget`. */
async function unpackCounted(entry: JSZip.JSZipObject, budget: { left: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const stream = entry.nodeStream('nodebuffer');
    stream.on('data', (chunk: Buffer) => {
      budget.left -= chunk.length;
      if (budget.left < 0) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(new WorkbookError(`这个 Excel 文件解压后超过 ${MAX_UNPACKED_BYTES / 1024 / 1024} MB，不是填写好的台账模板。请下载本页的模板填写后上传。`));
      } else chunks.push(chunk);
    });
    stream.on('error', () => reject(new WorkbookError(UNREADABLE)));
    stream.on('end', () => resolve());
  });
  return Buffer.concat(chunks);
}

/**
 * Looks at the file's shape before the spreadsheet library builds it: the unpacked size (a small zip can unpack to
 * hundreds of MB), and how far down and across each sheet reaches (one cell at XFD1048576 made the library walk a
 * million rows — 30 s in which the server answered nobody). Cheap: one pass over the sheets' XML.
 */
async function assertWorkbookShape(buffer: Buffer): Promise<void> {
  let zip: JSZip;
  try {
    const { default: JSZipLibrary } = await import('jszip'); // loaded with the first workbook, not at start
    zip = await JSZipLibrary.loadAsync(buffer);
  } catch {
    throw new WorkbookError(UNREADABLE);
  }
  const budget = { left: MAX_UNPACKED_BYTES };
  let cells = 0;
  let rangeCells = 0;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const content = await unpackCounted(entry, budget);
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(entry.name)) continue;
    const xml = content.toString('utf8');
    let rows = 0;
    for (const m of xml.matchAll(/<(?:\w+:)?row\b([^>]*)>/g)) {
      rows++;
      const r = /\sr="(\d+)"/.exec(m[1]!);
      if (rows > MAX_SHEET_ROW || (r && Number(r[1]) > MAX_SHEET_ROW)) throw new WorkbookError(TOO_MANY_ROWS);
    }
    for (const m of xml.matchAll(/<(?:\w+:)?(?:mergeCell\b[^>]*\sref|dataValidation\b[^>]*\ssqref|conditionalFormatting\b[^>]*\ssqref)="([^"]*)"/g)) {
      for (const ref of m[1]!.trim().split(/\s+/)) {
        rangeCells += rangeArea(ref);
        if (rangeCells > MAX_RANGE_CELLS) throw new WorkbookError('表格中合并单元格或数据有效性的范围超出台账模板，文件不是本平台的台账模板。请下载模板后填写。');
      }
    }
    for (const _ of xml.matchAll(/<(?:\w+:)?c[\s/>]/g)) {
      if (++cells > MAX_CELLS) throw new WorkbookError(`表格的单元格数量超出台账模板的范围（最多 ${MAX_IMPORT_ROWS} 行器具），文件不是本平台的台账模板。请下载模板后填写。`);
    }
    for (const m of xml.matchAll(/<(?:\w+:)?c\b[^>]*\sr="([A-Z]{1,3})(\d+)"/g)) {
      if (columnNumber(m[1]!) > MAX_SHEET_COLUMN || Number(m[2]) > MAX_SHEET_ROW) throw new WorkbookError(`表格的列数或行数超出台账模板的范围，文件不是本平台的台账模板。请下载模板后填写。`);
    }
  }
}

/** The data rows of a filled-in template: { line, cells by field }, empty rows skipped. Throws WorkbookError when the file is not our template. */
export async function readLedgerRows(buffer: Buffer): Promise<{ line: number; cells: Record<ImportField, string> }[]> {
  await assertWorkbookShape(buffer);
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new WorkbookError(UNREADABLE);
  }
  const sheet = wb.getWorksheet(SHEET) ?? wb.worksheets.find((s) => s.name !== '填写说明' && s.name !== CATEGORY_SHEET);
  if (!sheet) throw new WorkbookError('文件中没有“计量器具台账”工作表。请下载本页的导入模板，在模板中填写后上传。');
  const positions = new Map<ImportField, number>();
  sheet.getRow(1).eachCell((cell, colNumber) => {
    const header = cellText(cell.value).replace(/[*＊\s]/g, '');
    const column = COLUMNS.find((c) => c.header.replace('*', '') === header);
    if (column) positions.set(column.field, colNumber);
  });
  const missing = COLUMNS.filter((c) => c.header.endsWith('*') && !positions.has(c.field)).map((c) => `“${c.header.replace('*', '')}”`);
  if (missing.length) throw new WorkbookError(`表头缺少 ${missing.join('、')} 列，文件不是本平台的台账模板。请下载模板后填写。`);
  const rows: { line: number; cells: Record<ImportField, string> }[] = [];
  const lastRow = sheet.actualRowCount ? sheet.lastRow?.number ?? 1 : 1;
  for (let r = 2; r <= lastRow; r++) {
    const row = sheet.getRow(r);
    const cells = Object.fromEntries(COLUMNS.map((c) => [c.field, positions.has(c.field) ? cellText(row.getCell(positions.get(c.field)!).value).replaceAll('\u0000', '').trim() : ''])) as Record<ImportField, string>;
    if (Object.values(cells).every((v) => v === '')) continue;
    rows.push({ line: r, cells });
    if (rows.length > MAX_IMPORT_ROWS) throw new WorkbookError(TOO_MANY_ROWS);
  }
  if (rows.length === 0) throw new WorkbookError('“计量器具台账”工作表中没有填写任何器具。');
  return rows;
}
