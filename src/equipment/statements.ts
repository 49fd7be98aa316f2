import { assertCan, type Principal } from '../auth/access.js';
import { findNode, listParks } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { NotFoundError } from '../shared/errors.js';
import { dayjs, shanghaiDate, TZ, type Clock, shanghaiTime } from '../shared/time.js';
import type { Period, StatsScope } from '../stats/stats.repo.js';
import type { Table } from '../stats/export.js';
import { formatHours, MODE_LABELS, USER_CATEGORY_LABELS, type Mode, type UserCategory } from './domain.js';
import * as repo from './equipment.repo.js';
import { EQUIPMENT_STATUS_TEXT } from './lifecycle.js';
import { MONTH_RE } from './equipment.schemas.js';
import { describeRangeShort } from './equipment.view.js';
import * as usage from './usage.repo.js';
import { utilisationTables } from './utilisation.js';

export type PeriodOf = (query: { period?: string; from?: string; to?: string }) => Period & { preset: string; label: string };

/** [start, end) of a month in Shanghai. */
function monthBounds(month: string): { start: Date; end: Date } {
  const start = dayjs.tz(`${month}-01`, TZ);
  return { start: start.toDate(), end: start.add(1, 'month').toDate() };
}

/** The last twelve months, newest first ('2026-09' …). */
function recentMonths(today: string): string[] {
  const first = dayjs.tz(`${today.slice(0, 7)}-01`, TZ);
  return Array.from({ length: 12 }, (_, i) => first.subtract(i, 'month').format('YYYY-MM'));
}

/**
 * Money and figures of open sharing: a company's itemised monthly statement (each use at the price frozen when it was
 * booked), and the utilisation dashboard of a node, a park or the whole network.
 */
export function makeStatements(deps: { db: Db; clock: Clock; periodOf: PeriodOf }) {
  const { db, clock, periodOf } = deps;

  /** Whose statement the user may read: the company's own; a node's staff only for companies that used the node. */
  async function companyFor(user: Principal, enterpriseId: number) {
    const company = await repo.findEnterprise(db, enterpriseId);
    if (!company) throw new NotFoundError();
    if (user.role === 'lab_staff' || user.role === 'node_manager') {
      assertCan(user, 'equipment.read', { nodeId: user.nodeId });
      if (!(await usage.usedNode(db, enterpriseId, user.nodeId))) throw new NotFoundError();
      return { company, nodeId: user.nodeId as number | null };
    }
    assertCan(user, 'equipment.read', { enterpriseId, parkId: company.parkId });
    return { company, nodeId: null };
  }

  function scopeOf(user: Principal): StatsScope {
    if (user.role === 'lab_staff' || user.role === 'node_manager') return { kind: 'node', nodeId: user.nodeId };
    if (user.role === 'park_admin') return { kind: 'park', parkId: user.parkId };
    return { kind: 'platform' };
  }

  return {
    months: () => recentMonths(shanghaiDate(clock.now())),

    /** The companies with a statement in a month, in the user's scope (a company sees only itself). */
    async companies(user: Principal, month: string) {
      assertCan(user, 'equipment.read');
      if (!MONTH_RE.test(month)) throw new NotFoundError();
      const { start, end } = monthBounds(month);
      const scope: StatsScope = user.role === 'enterprise' ? { kind: 'platform' } : scopeOf(user);
      const rows = await usage.statementCompanies(db, start, end, scope);
      return user.role === 'enterprise' ? rows.filter((r) => r.id === user.enterpriseId) : rows;
    },

    /** One company's statement for one month: every line, totals, and the same as a table for the XLSX file. */
    async statement(user: Principal, enterpriseId: number, month: string) {
      if (!MONTH_RE.test(month)) throw new NotFoundError();
      const { company, nodeId } = await companyFor(user, enterpriseId);
      const { start, end } = monthBounds(month);
      const lines = await usage.statementLines(db, enterpriseId, start, end, nodeId);
      const node = nodeId === null ? undefined : await findNode(db, nodeId);
      const used = lines.filter((l) => l.status === 'checked_out');
      const totals = { lines: lines.length, uses: used.length, noShows: lines.length - used.length, minutes: used.reduce((s, l) => s + (l.chargedMinutes ?? 0), 0), amountCents: used.reduce((s, l) => s + (l.amountCents ?? 0), 0) };
      const table: Table = {
        key: 'statement',
        title: `共享仪器使用结算单 ${month}`,
        columns: [
          { key: 'number', label: '预约号' },
          { key: 'booked', label: '预约时段' },
          { key: 'actual', label: '实际使用' },
          { key: 'equipment', label: '设备' },
          { key: 'node', label: '网点' },
          { key: 'mode', label: '使用方式' },
          { key: 'category', label: '用户类别' },
          { key: 'hours', label: '计费时长（小时）', format: 'decimal' },
          { key: 'rate', label: '单价（元/小时）' },
          { key: 'amount', label: '金额（元）' },
          { key: 'status', label: '状态' },
        ],
        rows: lines.map((l) => ({
          number: l.number,
          booked: describeRangeShort(l.startsAt, l.endsAt),
          actual: l.checkedInAt && l.checkedOutAt ? `${shanghaiTime(l.checkedInAt)}–${shanghaiTime(l.checkedOutAt)}` : '—',
          equipment: `${l.equipmentName}（${l.equipmentCode}）`,
          node: l.nodeName,
          mode: MODE_LABELS[l.mode as Mode] ?? l.mode,
          category: USER_CATEGORY_LABELS[l.userCategory as UserCategory] ?? l.userCategory,
          hours: l.status === 'checked_out' ? (l.chargedMinutes ?? 0) / 60 : 0,
          rate: l.rateCents / 100,
          amount: l.status === 'checked_out' ? (l.amountCents ?? 0) / 100 : 0,
          status: l.status === 'checked_out' ? '已使用' : `${EQUIPMENT_STATUS_TEXT.no_show}（不收费，计违约）`,
        })),
      };
      return { company, month, node: node ?? null, lines, totals, table, totalHours: formatHours(totals.minutes), issuedAt: clock.now() };
    },

    /** The utilisation dashboard of the user's scope for a period. */
    async dashboard(user: Principal, query: { period?: string; from?: string; to?: string }) {
      assertCan(user, 'stats.read');
      const period = periodOf(query);
      const scope = scopeOf(user);
      const parks = await listParks(db);
      const label = scope.kind === 'platform' ? '全市“1+N”网络' : scope.kind === 'park' ? `${parks.find((p) => p.id === scope.parkId)?.name ?? ''}企业` : ((await findNode(db, scope.nodeId))?.name ?? '');
      const result = await utilisationTables(db, period, scope, shanghaiDate(clock.now()), new Map(parks.map((p) => [p.id, p.name])));
      return { ...result, scope, scopeLabel: label, period, computedAt: clock.now() };
    },
  };
}

export type Statements = ReturnType<typeof makeStatements>;
