import { randomBytes } from 'node:crypto';
import { assertCan, type Principal } from '../auth/access.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { inTransaction } from '../db/tx.js';
import { recordEvent, recordEvents } from '../events/record.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { formatDateTime } from '../shared/time.js';
import { parseInput } from '../shared/validation.js';
import { checkFile } from '../uploads/file-check.js';
import type { UploadedFile } from '../uploads/purposes.js';
import type { LedgerCategory } from './categories.js';
import { todayOf, type LedgerDeps } from './context.js';
import { checkEntry, type EntryValues } from './entry.js';
import * as importRepo from './import.repo.js';
import * as repo from './ledger.repo.js';
import { importRowsSchema } from './ledger.schemas.js';
import { COMPULSORY_USES, INSTRUMENT_STATUSES, LEDGER_CONCLUSIONS, serialKey } from './rules.js';
import { COLUMNS, normaliseDate, readLedgerRows, WorkbookError, type ImportField } from './workbook.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DRAFT_DAYS = 7;

/** One row of an upload as the preview shows it. */
export interface ImportRow {
  line: number;
  name: string;
  serialNo: string;
  category: string;
  values?: EntryValues;
  errors: string[];
  /** The same problems by form field (the open API shows them per field); absent in previews made before it existed. */
  fieldErrors?: { field: string; message: string }[];
  /** The same instrument is already in the ledger. */
  duplicateOf?: { id: number; name: string; serialNo: string };
  /** The same instrument is on an earlier line of the file. */
  duplicateLine?: number;
}

export const importable = (r: ImportRow) => r.values !== undefined && r.errors.length === 0 && !r.duplicateOf && !r.duplicateLine;

const byLabel = <T extends string>(labels: Record<T, string>, text: string): T | undefined => (Object.keys(labels) as T[]).find((k) => labels[k] === text || k === text);

/** The cells of a row turned into the form's values (Chinese choices → codes); what cannot be read is passed on as typed and refused. */
function formInput(cells: Record<ImportField, string>, categoryByName: Map<string, string>): Record<string, string> {
  const yesNo = /^(是|Y|YES|√|✓)$/i.test(cells.compulsory) ? 'yes' : /^(否|N|NO|×)$/i.test(cells.compulsory) ? 'no' : cells.compulsory;
  const regime = cells.regime === '' ? '' : /限期|首次/.test(cells.regime) ? 'limited_life' : /周期|校准/.test(cells.regime) ? 'periodic' : cells.regime;
  return {
    ...cells,
    categoryCode: categoryByName.get(cells.categoryCode) ?? cells.categoryCode,
    compulsory: yesNo,
    compulsoryUse: byLabel(COMPULSORY_USES, cells.compulsoryUse) ?? cells.compulsoryUse,
    regime,
    periodMonths: cells.periodMonths.replace(/\.0+$/, ''),
    status: cells.status === '' ? 'in_use' : (byLabel(INSTRUMENT_STATUSES, cells.status) ?? cells.status),
    conclusion: byLabel(LEDGER_CONCLUSIONS, cells.conclusion) ?? cells.conclusion,
    lastCalibrationDate: normaliseDate(cells.lastCalibrationDate),
    nextDueDate: normaliseDate(cells.nextDueDate),
  };
}

/** A required cell left empty reads "出厂编号为空", the others keep the form's own message. */
function rowErrors(err: ValidationError, cells: Record<ImportField, string>): { field: string; message: string }[] {
  return Object.entries(err.fieldErrors).map(([field, message]) => {
    const column = COLUMNS.find((c) => c.field === field);
    if (column && column.header.endsWith('*') && cells[field as ImportField] === '') return { field, message: `${column.header.replace('*', '')}为空` };
    return { field, message };
  });
}

function checkRows(rows: { line: number; cells: Record<ImportField, string> }[], categories: Map<string, LedgerCategory>, today: string): ImportRow[] {
  const categoryByName = new Map([...categories.values()].flatMap((c) => [[c.name, c.code], [c.code, c.code]] as [string, string][]));
  return rows.map(({ line, cells }) => {
    const row: ImportRow = { line, name: cells.name, serialNo: cells.serialNo, category: cells.categoryCode, errors: [] };
    try {
      row.values = checkEntry(formInput(cells, categoryByName), categories, today);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      row.fieldErrors = rowErrors(err, cells);
      row.errors = row.fieldErrors.map((e) => e.message);
    }
    return row;
  });
}

/** Marks duplicates: a later line of the same category and serial, and rows already in the ledger. */
async function markDuplicates(deps: LedgerDeps, enterpriseId: number, rows: ImportRow[]): Promise<void> {
  const seen = new Map<string, number>();
  for (const r of rows) {
    if (!r.values) continue;
    const key = `${r.values.categoryCode}|${r.values.serialKey}`;
    const first = seen.get(key);
    if (first !== undefined) r.duplicateLine = first;
    else seen.set(key, r.line);
  }
  const existing = await repo.entriesByKeys(deps.db, enterpriseId, rows.flatMap((r) => (r.values ? [r.values] : [])));
  const known = new Map(existing.map((e) => [`${e.categoryCode}|${e.serialKey}`, e]));
  for (const r of rows) {
    const e = r.values && known.get(`${r.values.categoryCode}|${r.values.serialKey}`);
    if (e) r.duplicateOf = { id: e.id, name: e.name, serialNo: e.serialNo };
  }
}

type Categories = () => Promise<Map<string, LedgerCategory>>;
type RawRow = { line: number; cells: Record<ImportField, string> };

/** Reads an upload, checks every row and keeps the result as a preview; returns its token. Nothing enters the ledger yet. */
export async function previewImport(deps: LedgerDeps, categories: Categories, user: Principal, files: UploadedFile[]): Promise<string> {
  assertCan(user, 'ledger.manage');
  if (files.length === 0) throw new ValidationError({ file: '请选择要上传的 Excel（.xlsx）文件' });
  if (files.length > 1) throw new ValidationError({ file: '一次上传一个文件' });
  const file = files[0]!;
  const checked = await checkFile(file);
  if (!checked.ok) throw new ValidationError({ file: checked.message });
  if (checked.mimeType !== XLSX) throw new ValidationError({ file: `文件“${checked.safeName}”不是 Excel（.xlsx）文件。请下载本页的导入模板，填写后上传。` });
  let raw;
  try {
    raw = await readLedgerRows(file.buffer);
  } catch (err) {
    if (err instanceof WorkbookError) throw new ValidationError({ file: err.message });
    throw err;
  }
  return saveDraft(deps, categories, user, checked.safeName, raw);
}

/** The rows of a file (or sent as data), checked by the form's rules, duplicates marked, kept as a preview. */
async function saveDraft(deps: LedgerDeps, categories: Categories, user: { id: number; enterpriseId: number }, fileName: string, raw: RawRow[]): Promise<string> {
  const rows = checkRows(raw, await categories(), todayOf(deps));
  await markDuplicates(deps, user.enterpriseId, rows);
  const token = randomBytes(18).toString('base64url');
  await importRepo.insertDraft(deps.db, { token, enterpriseId: user.enterpriseId, userId: user.id, fileName, rows, total: rows.length, valid: rows.filter(importable).length });
  return token;
}

/**
 * The open API's second form of an import: the template's rows as JSON objects keyed by its fields (`rows[i]` is line
 * i + 1; cells as in the file: the Chinese choices or their codes, numbers and true/false allowed). Same checks, same
 * preview, same confirmation as a file.
 */
export async function previewImportRows(deps: LedgerDeps, categories: Categories, user: Principal, input: unknown): Promise<string> {
  assertCan(user, 'ledger.manage');
  const { rows, fileName } = parseInput(importRowsSchema, input);
  const text = (v: string | number | boolean | null | undefined) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? '是' : '否') : String(v).replaceAll('\u0000', '').trim());
  const raw = rows.map((row, i): RawRow => ({ line: i + 1, cells: Object.fromEntries(COLUMNS.map((c) => [c.field, text(row[c.field])])) as Record<ImportField, string> }));
  return saveDraft(deps, categories, user, fileName ?? '开放接口导入', raw);
}

/** Until when a preview can be confirmed (the daily job removes it after that). */
export const importExpiresAt = (draft: { createdAt: Date }) => new Date(draft.createdAt.getTime() + DRAFT_DAYS * 86_400_000);

/** A preview of the user's company not yet expired, or 404. */
export async function draftFor(deps: LedgerDeps, user: Principal, token: string) {
  assertCan(user, 'ledger.manage');
  const draft = /^[A-Za-z0-9_-]{16,40}$/.test(token) ? await importRepo.findDraft(deps.db, token) : undefined;
  if (!draft || draft.enterpriseId !== user.enterpriseId || (!draft.importedAt && importExpiresAt(draft) < deps.clock.now())) throw new NotFoundError('该导入预览不存在或已过期，请重新上传。');
  return draft;
}

/** The preview page: counts, every row with a problem, and the rows that will be imported. */
export async function importPreview(deps: LedgerDeps, user: Principal, token: string) {
  const draft = await draftFor(deps, user, token);
  const rows = draft.rows as ImportRow[];
  const problems = rows.filter((r) => !importable(r));
  return { draft, problems: problems.slice(0, 1000), moreProblems: Math.max(0, problems.length - 1000), importable: rows.filter(importable).slice(0, 200), importableCount: draft.valid, duplicates: rows.filter((r) => r.duplicateOf || r.duplicateLine).length };
}

/** The import page's list: the user's recent previews not yet confirmed. */
export async function pendingImports(deps: LedgerDeps, user: Principal) {
  assertCan(user, 'ledger.manage');
  return importRepo.pendingDraftsOf(deps.db, user.id, new Date(deps.clock.now().getTime() - DRAFT_DAYS * 86_400_000));
}

/**
 * Imports every valid row of a preview in one transaction (multi-row inserts, one audit event per entry): all of
 * them or, if anything changed since the preview (an entry registered meanwhile), none.
 */
export async function confirmImport(deps: LedgerDeps, user: Principal, token: string): Promise<number> {
  const { enterpriseId } = await draftFor(deps, user, token);
  const changed = new ConflictError('上传预览后，台账中又登记了其中的器具，本次没有导入任何一行。请重新上传文件，核对预览后再导入。', 'ledger_changed');
  try {
    return await inTransaction(deps.db, async (tx) => {
      const draft = await importRepo.lockDraft(tx, token);
      if (!draft) throw new NotFoundError('该导入预览不存在或已过期，请重新上传。');
      if (draft.importedAt) throw new ConflictError(`该文件已于 ${formatDateTime(draft.importedAt)} 导入（${draft.importedCount ?? 0} 台），没有重复导入。`, 'already_imported');
      const rows = (draft.rows as ImportRow[]).filter(importable);
      if (rows.length === 0) throw new ConflictError('这个文件没有可以导入的行，请按提示修改后重新上传。');
      if ((await repo.entriesByKeys(tx, enterpriseId, rows.map((r) => r.values!))).some((e) => rows.some((r) => r.values!.categoryCode === e.categoryCode && r.values!.serialKey === e.serialKey))) throw changed;
      const inserted = await repo.insertInstruments(tx, rows.map((r) => ({ ...r.values!, serialKey: serialKey(r.values!.serialNo), enterpriseId, createdBy: user.id, updatedBy: user.id })));
      await recordEvents(tx, inserted.map((e, i) => ({ actorUserId: user.id, entityType: 'instrument', entityId: e.id, action: 'instrument.created', note: `${e.name}（${e.serialNo}）：从“${draft.fileName}”第 ${rows[i]!.line} 行导入`, data: { after: rows[i]!.values } })));
      await recordEvent(tx, { actorUserId: user.id, entityType: 'instrument_import', entityId: draft.id, action: 'instrument.imported', note: `从“${draft.fileName}”导入 ${inserted.length} 台`, data: { enterpriseId, count: inserted.length } });
      await importRepo.markImported(tx, draft.id, inserted.length);
      return inserted.length;
    });
  } catch (err) {
    if (pgErrorCode(err) === UNIQUE_VIOLATION) throw changed;
    throw err;
  }
}

export const sweepStaleImports = (deps: LedgerDeps) => importRepo.deleteStaleDrafts(deps.db, new Date(deps.clock.now().getTime() - DRAFT_DAYS * 86_400_000));
