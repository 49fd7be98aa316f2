import type ExcelJS from 'exceljs';

/**
 * exceljs, loaded the first time a workbook is made or read: it is the largest module the server loads (~0.25 s of
 * every start) and only the Excel downloads and the ledger import use it.
 */
export async function loadExcel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}
