import { loadExcel } from '../shared/excel.js';

export interface Column {
  key: string;
  label: string;
  /** How a number is shown: a plain count, a percentage (0–1 → "66.7%"), one decimal, an amount in yuan (two decimals). */
  format?: 'int' | 'percent' | 'decimal' | 'yuan';
}

export interface Table {
  key: string;
  title: string;
  columns: Column[];
  rows: Record<string, string | number | null>[];
}

export function formatCell(value: string | number | null | undefined, format?: Column['format']): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (format === 'percent') return `${(value * 100).toFixed(1)}%`;
    if (format === 'decimal') return value.toFixed(1);
    if (format === 'yuan') return value.toFixed(2);
    return String(value);
  }
  return value;
}

/** A text cell that a spreadsheet would run as a formula (=, +, -, @ …) is prefixed with ' (CSV injection). */
function neutralise(text: string): string {
  // also after leading spaces, and the full-width signs some spreadsheet programs read as the ASCII ones
  return /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV in UTF-8 with a BOM, so Excel opens Chinese text correctly. */
export function toCsv(table: Table): Buffer {
  const lines = [table.columns.map((c) => csvCell(c.label)).join(',')];
  for (const row of table.rows) {
    lines.push(
      table.columns
        .map((c) => {
          const v = row[c.key];
          const text = typeof v === 'number' ? formatCell(v, c.format) : neutralise(formatCell(v, c.format));
          return csvCell(text);
        })
        .join(','),
    );
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

/** An .xlsx workbook with one sheet: numbers stay numbers, percentages get a percent format. */
export async function toXlsx(table: Table, subtitle: string): Promise<Buffer> {
  const workbook = new (await loadExcel()).Workbook();
  workbook.creator = '舟山市质量基础设施一站式服务平台';
  const sheet = workbook.addWorksheet(table.title.slice(0, 31));
  sheet.addRow([table.title]).font = { bold: true, size: 13 };
  sheet.addRow([subtitle]);
  const header = sheet.addRow(table.columns.map((c) => c.label));
  header.font = { bold: true };
  for (const row of table.rows) {
    sheet.addRow(table.columns.map((c) => {
      const v = row[c.key];
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') return neutralise(v);
      return v;
    }));
  }
  table.columns.forEach((c, i) => {
    const col = sheet.getColumn(i + 1);
    // Wide enough for the header and the longest value (a Chinese character takes about two widths).
    const longest = Math.max(c.label.length, ...table.rows.map((r) => String(r[c.key] ?? '').length));
    col.width = Math.max(10, Math.min(48, longest * 2 + 2));
    if (c.format === 'percent') col.numFmt = '0.0%';
    if (c.format === 'decimal') col.numFmt = '0.0';
    if (c.format === 'yuan') col.numFmt = '#,##0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
