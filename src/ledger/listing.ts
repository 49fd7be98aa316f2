import { assertCan, type Principal } from '../auth/access.js';
import type { Table } from '../stats/export.js';
import type { LedgerCategory } from './categories.js';
import { todayOf, type LedgerDeps } from './context.js';
import * as repo from './ledger.repo.js';
import { DUE_FILTERS, SORTS, type DueFilter, type Sort } from './ledger.schemas.js';
import { dueState, dueText, DUE_BADGES } from './ledger.view.js';
import { COMPULSORY_USES, DUE_SOURCES, INSTRUMENT_STATUSES, LEDGER_CONCLUSIONS, REGIMES, type InstrumentStatus } from './rules.js';

export const PAGE_SIZE = 30;
/** An export holds at most this many rows (a company's whole ledger, in practice). */
const EXPORT_MAX = 20_000;

/** The list page's query as the user gave it (strings from the URL, each capped by the route). */
export interface LedgerQuery {
  q?: string;
  due?: string;
  compulsory?: string;
  status?: string;
  department?: string;
  category?: string;
  sort?: string;
  page: number;
}

/** Keeps only values the list understands; anything else is ignored, never an error. */
export function ledgerFilter(enterpriseId: number, today: string, query: LedgerQuery): { filter: repo.LedgerFilter; sort: Sort } {
  const filter: repo.LedgerFilter = { enterpriseId, today };
  if (query.q) filter.q = query.q;
  if (query.due && Object.hasOwn(DUE_FILTERS, query.due)) filter.due = query.due as DueFilter;
  if (query.compulsory === 'yes' || query.compulsory === 'no') filter.compulsory = query.compulsory === 'yes';
  if (query.status && Object.hasOwn(INSTRUMENT_STATUSES, query.status)) filter.status = query.status as InstrumentStatus;
  if (query.department !== undefined && query.department !== '') filter.department = query.department === '(none)' ? '' : query.department;
  if (query.category) filter.categoryCode = query.category;
  const sort = query.sort && Object.hasOwn(SORTS, query.sort) ? (query.sort as Sort) : 'due';
  return { filter, sort };
}

/** The company's ledger page: one page of entries, the header figures, and the filter options. */
export async function ledgerPage(deps: LedgerDeps, categories: () => Promise<Map<string, LedgerCategory>>, user: Principal, query: LedgerQuery) {
  assertCan(user, 'ledger.manage');
  const today = todayOf(deps);
  const { filter, sort } = ledgerFilter(user.enterpriseId, today, query);
  const [rows, total, summary, departments, cats] = await Promise.all([
    repo.listInstruments(deps.db, filter, sort, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE }),
    repo.countInstruments(deps.db, filter),
    repo.ledgerSummary(deps.db, user.enterpriseId, today),
    repo.departmentsOf(deps.db, user.enterpriseId),
    categories(),
  ]);
  // Instruments with a calibration booking under way say so: they stay due until the certificate comes back.
  const open = await repo.openBookingsOfSerials(deps.db, user.enterpriseId, rows.map((r) => r.serialNo));
  const openOf = (r: (typeof rows)[number]) => [...new Set(open.filter((b) => b.serialNo === r.serialNo && b.categoryCode === r.categoryCode).map((b) => b.number))];
  return {
    rows: rows.map((r) => ({ ...r, due: dueState(r, today), dueText: dueText(r.nextDueDate, today), openBookings: openOf(r) })),
    total,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    summary,
    departments,
    categories: [...cats.values()],
    today,
  };
}

const EXPORT_COLUMNS: Table['columns'] = [
  { key: 'name', label: '器具名称' },
  { key: 'category', label: '器具类别' },
  { key: 'model', label: '型号规格' },
  { key: 'serialNo', label: '出厂编号' },
  { key: 'manufacturer', label: '制造单位' },
  { key: 'measuringRange', label: '测量范围' },
  { key: 'accuracyClass', label: '准确度等级' },
  { key: 'department', label: '使用部门' },
  { key: 'location', label: '使用地点' },
  { key: 'compulsory', label: '是否强检' },
  { key: 'use', label: '强检用途' },
  { key: 'regime', label: '检定方式' },
  { key: 'periodMonths', label: '周期（月）', format: 'int' },
  { key: 'status', label: '状态' },
  { key: 'lastCalibrationDate', label: '上次检定/校准日期' },
  { key: 'certificateNo', label: '证书编号' },
  { key: 'conclusion', label: '结论' },
  { key: 'nextDueDate', label: '下次检定/校准日期' },
  { key: 'dueSource', label: '到期日来源' },
  { key: 'dueState', label: '到期状态' },
];

/** The filtered ledger as a table for CSV / XLSX (every matching entry, not only the page shown). */
export async function ledgerExport(deps: LedgerDeps, user: Principal, query: LedgerQuery): Promise<{ table: Table; subtitle: string; fileName: string }> {
  assertCan(user, 'ledger.manage');
  const today = todayOf(deps);
  const { filter, sort } = ledgerFilter(user.enterpriseId, today, query);
  const rows = await repo.listInstruments(deps.db, filter, sort, { limit: EXPORT_MAX, offset: 0 });
  const table: Table = {
    key: 'instruments',
    title: '计量器具台账',
    columns: EXPORT_COLUMNS,
    rows: rows.map((r) => ({
      name: r.name,
      category: r.categoryName,
      model: r.model,
      serialNo: r.serialNo,
      manufacturer: r.manufacturer,
      measuringRange: r.measuringRange,
      accuracyClass: r.accuracyClass,
      department: r.department,
      location: r.location,
      compulsory: r.compulsory ? '是' : '否',
      use: r.compulsoryUse ? COMPULSORY_USES[r.compulsoryUse as keyof typeof COMPULSORY_USES] : '',
      regime: REGIMES[r.regime as keyof typeof REGIMES],
      periodMonths: r.periodMonths,
      status: INSTRUMENT_STATUSES[r.status as InstrumentStatus],
      lastCalibrationDate: r.lastCalibrationDate ?? '',
      certificateNo: r.certificateNo ?? '',
      conclusion: r.conclusion ? LEDGER_CONCLUSIONS[r.conclusion as keyof typeof LEDGER_CONCLUSIONS] : '',
      nextDueDate: r.nextDueDate ?? '',
      dueSource: r.dueSource ? DUE_SOURCES[r.dueSource as keyof typeof DUE_SOURCES] : '',
      dueState: DUE_BADGES[dueState(r, today)].label,
    })),
  };
  return { table, subtitle: `导出日期 ${today}，共 ${rows.length} 台`, fileName: `计量器具台账_${today}` };
}
