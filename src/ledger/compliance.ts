import { assertCan, type Principal } from '../auth/access.js';
import { NotFoundError } from '../shared/errors.js';
import type { Table } from '../stats/export.js';
import { todayOf, type LedgerDeps } from './context.js';
import * as repo from './compliance.repo.js';
import { dueState, dueText } from './ledger.view.js';

/* 强检 compliance for those who plan campaigns: a park administrator for the park's companies, the platform for the
   city, each with a drill-down to one company's compulsory instruments. */

const PAGE_SIZE = 50;

interface Totals {
  total: number;
  due30: number;
  overdue: number;
  failed: number;
  noDue: number;
}

const rate = (t: Totals) => (t.total ? t.overdue / t.total : null);
const sum = (rows: Totals[]): Totals => rows.reduce((a, r) => ({ total: a.total + r.total, due30: a.due30 + r.due30, overdue: a.overdue + r.overdue, failed: a.failed + r.failed, noDue: a.noDue + r.noDue }), { total: 0, due30: 0, overdue: 0, failed: 0, noDue: 0 });

/** The park a user's figures cover: a park admin's own; the platform's choice (or the city). */
function scopeOf(user: Principal, parkQuery: string | undefined): number | undefined {
  assertCan(user, 'compliance.read');
  if (user.role === 'park_admin') return user.parkId;
  return parkQuery && /^[1-9]\d{0,8}$/.test(parkQuery) ? Number(parkQuery) : undefined;
}

export async function complianceReport(deps: LedgerDeps, user: Principal, query: { park?: string; page: number; all?: boolean }) {
  const parkId = scopeOf(user, query.park);
  const today = todayOf(deps);
  const page = query.all ? { limit: 1_000_000, offset: 0 } : { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE };
  const [figures, parks, perPark] = await Promise.all([repo.complianceFigures(deps.db, today, { ...(parkId === undefined ? {} : { parkId }), ...page }), repo.parkList(deps.db), repo.companiesPerPark(deps.db)]);
  const byPark = parks.map((p) => {
    const f = figures.parks.find((x) => x.parkId === p.id) ?? { withLedger: 0, total: 0, due30: 0, overdue: 0, failed: 0, noDue: 0 };
    return { ...p, ...f, companies: perPark.find((x) => x.parkId === p.id)?.n ?? 0, rate: rate(f) };
  });
  const totals = sum(figures.parks);
  const withLedger = figures.parks.reduce((n, p) => n + p.withLedger, 0);
  const scopeCompanies = parkId === undefined ? perPark.reduce((n, p) => n + p.n, 0) : (perPark.find((p) => p.parkId === parkId)?.n ?? 0);
  return {
    parkId,
    scopeLabel: parkId === undefined ? '全市' : (parks.find((p) => p.id === parkId)?.name ?? '园区'),
    parks,
    today,
    totals: { ...totals, rate: rate(totals), companies: scopeCompanies, withLedger },
    byPark: parkId === undefined ? byPark.filter((p) => p.companies > 0 || p.total > 0) : [],
    companies: figures.page.map((c) => ({ ...c, rate: rate(c) })),
    page: query.page,
    pages: Math.max(1, Math.ceil(withLedger / PAGE_SIZE)),
  };
}

const COMPANY_COLUMNS: Table['columns'] = [
  { key: 'name', label: '企业' },
  { key: 'park', label: '园区' },
  { key: 'total', label: '在用强检器具（台）', format: 'int' },
  { key: 'due30', label: '30 天内到期', format: 'int' },
  { key: 'overdue', label: '已超期', format: 'int' },
  { key: 'rate', label: '超期率', format: 'percent' },
  { key: 'failed', label: '不合格仍在用', format: 'int' },
  { key: 'noDue', label: '未登记到期日', format: 'int' },
];

/** The company table (every company in scope) or, for the city, the park table — for CSV / XLSX. */
export async function complianceExport(deps: LedgerDeps, user: Principal, key: string, query: { park?: string }): Promise<{ table: Table; subtitle: string; fileName: string }> {
  const report = await complianceReport(deps, user, { ...query, page: 1, all: true });
  const parkName = new Map(report.parks.map((p) => [p.id, p.name]));
  const subtitle = `${report.scopeLabel} · 截至 ${report.today}`;
  if (key === 'parks' && report.parkId === undefined) {
    const columns: Table['columns'] = [{ key: 'name', label: '园区' }, { key: 'companies', label: '企业（家）', format: 'int' }, { key: 'withLedger', label: '已登记强检器具的企业', format: 'int' }, ...COMPANY_COLUMNS.slice(2)];
    return { table: { key: 'parks', title: '各园区强检器具合规情况', columns, rows: report.byPark.map((p) => ({ name: p.name, companies: p.companies, withLedger: p.withLedger, total: p.total, due30: p.due30, overdue: p.overdue, rate: p.rate, failed: p.failed, noDue: p.noDue })) }, subtitle, fileName: `各园区强检器具合规情况_${report.today}` };
  }
  if (key !== 'companies') throw new NotFoundError('没有这张表。');
  const rows = report.companies.map((c) => ({ name: c.name, park: c.parkId ? (parkName.get(c.parkId) ?? '') : '未入园', total: c.total, due30: c.due30, overdue: c.overdue, rate: c.rate, failed: c.failed, noDue: c.noDue }));
  return { table: { key: 'companies', title: '企业强检器具合规情况', columns: COMPANY_COLUMNS, rows }, subtitle, fileName: `${report.scopeLabel}企业强检器具合规情况_${report.today}` };
}

/** One company's in-use 强检 instruments (read-only), for a park admin of its park or the platform. */
export async function companyDrillDown(deps: LedgerDeps, user: Principal, enterpriseId: number) {
  assertCan(user, 'compliance.read');
  const company = await repo.companyOf(deps.db, enterpriseId);
  if (!company) throw new NotFoundError('该企业不存在，或不在您管理的园区。');
  assertCan(user, 'compliance.read', { parkId: company.parkId });
  const today = todayOf(deps);
  const rows = (await repo.compulsoryInstrumentsOf(deps.db, enterpriseId)).map((r) => ({ ...r, due: dueState(r, today), dueText: dueText(r.nextDueDate, today) }));
  const totals = { total: rows.length, overdue: rows.filter((r) => r.due === 'overdue').length, due30: rows.filter((r) => r.due === 'soon' || r.due === 'today').length, failed: rows.filter((r) => r.conclusion === 'fail').length, noDue: rows.filter((r) => r.due === 'none').length };
  return { company, rows, totals: { ...totals, rate: rate(totals) }, today };
}
