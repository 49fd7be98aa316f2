import { assertCan, type Principal } from '../auth/access.js';
import { isOpen, STATUS_LABELS } from '../bookings/lifecycle.js';
import { findNode, listParks } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { dayjs, isIsoDate, shanghaiDate, TZ, type Clock } from '../shared/time.js';
import type { Table } from './export.js';
import { TtlCache } from '../shared/cache.js';
import { QUEUE_TABS } from '../lab/lab.view.js';
import * as repo from './stats.repo.js';

export type PeriodPreset = 'month' | 'quarter' | 'year' | 'custom';
export const PERIOD_PRESETS: { key: PeriodPreset; label: string }[] = [
  { key: 'month', label: '本月' },
  { key: 'quarter', label: '本季度' },
  { key: 'year', label: '本年' },
  { key: 'custom', label: '自定义' },
];

/** The stages of open work, as the lab's queue tabs name them (one list for the queue and the statistics). */
const LOAD_STAGES = QUEUE_TABS.filter((tab) => tab.statuses.every(isOpen));

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const round1 = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);

export function makeStatsService(deps: { db: Db; clock: Clock; cacheMs?: number }) {
  const { db, clock } = deps;
  // A dashboard is a dozen aggregations; administrators reload it and export its tables. Its figures are kept for a
  // minute per scope and period (the page says "每分钟更新"), so the exports match the page they came from.
  const cache = new TtlCache<Awaited<ReturnType<typeof compute>>>(deps.cacheMs ?? 60_000, 200);

  /** The period from the query: a preset relative to today, or custom dates (validated, at most 5 years). */
  function periodOf(query: { period?: string; from?: string; to?: string }): repo.Period & { preset: PeriodPreset; label: string } {
    const today = dayjs.tz(shanghaiDate(clock.now()), TZ);
    const preset = (PERIOD_PRESETS.some((p) => p.key === query.period) ? query.period : 'year') as PeriodPreset;
    let from: string;
    let to = today.format('YYYY-MM-DD');
    if (preset === 'month') from = today.startOf('month').format('YYYY-MM-DD');
    else if (preset === 'quarter') from = today.month(Math.floor(today.month() / 3) * 3).startOf('month').format('YYYY-MM-DD');
    else if (preset === 'year') from = today.startOf('year').format('YYYY-MM-DD');
    else {
      const errors: Record<string, string> = {};
      if (!query.from || !isIsoDate(query.from)) errors.from = '请选择开始日期';
      if (!query.to || !isIsoDate(query.to)) errors.to = '请选择结束日期';
      if (!errors.from && !errors.to && query.from! > query.to!) errors.to = '结束日期不能早于开始日期';
      if (!errors.from && !errors.to && dayjs(query.to).diff(dayjs(query.from), 'year', true) > 5) errors.to = '统计区间不能超过 5 年';
      if (Object.keys(errors).length) throw new ValidationError(errors, '统计区间有误');
      from = query.from!;
      to = query.to!;
    }
    return {
      preset,
      from,
      to,
      start: dayjs.tz(from, TZ).toDate(),
      end: dayjs.tz(to, TZ).add(1, 'day').toDate(),
      label: `${from} 至 ${to}`,
    };
  }

  async function scopeFor(user: Principal): Promise<{ scope: repo.StatsScope; label: string }> {
    assertCan(user, 'stats.read');
    if (user.role === 'platform_admin') return { scope: { kind: 'platform' }, label: '全市“1+N”网络' };
    if (user.role === 'park_admin') {
      const park = (await listParks(db)).find((p) => p.id === user.parkId);
      if (!park) throw new NotFoundError();
      return { scope: { kind: 'park', parkId: park.id }, label: `${park.name}企业` };
    }
    const node = await findNode(db, user.nodeId);
    if (!node) throw new NotFoundError();
    return { scope: { kind: 'node', nodeId: node.id }, label: node.name };
  }

  return {
    periodOf,

    /** Every figure and table of the dashboard for the user's scope and a period. */
    async dashboard(user: Principal, query: { period?: string; from?: string; to?: string }) {
      const { scope, label } = await scopeFor(user);
      const period = periodOf(query);
      return cache.get(`${JSON.stringify(scope)}|${period.from}|${period.to}`, () => compute(scope, label, period));
    },
  };

  async function compute(scope: repo.StatsScope, label: string, period: ReturnType<typeof periodOf>) {
      const today = shanghaiDate(clock.now());
      // Sequential on purpose: on PGlite queries run one at a time anyway; on PostgreSQL each is one round trip.
      const summary = await repo.summary(db, scope, period);
      const months = await repo.byMonth(db, scope, period);
      const categories = await repo.byCategory(db, scope, period);
      const parks = await repo.byPark(db, scope, period);
      const services = await repo.topServices(db, scope, period);
      const nodes = await repo.nodeFigures(db, scope, period);
      const sat = await repo.satisfaction(db, scope, period);
      const load = await repo.loadNow(db, scope, today);
      const enterprises = scope.kind === 'park' ? await repo.parkEnterprises(db, scope.parkId) : undefined;

      const closed = summary.cancelled + summary.rejected;
      const figures = {
        total: summary.total,
        completed: summary.completed,
        completionRate: ratio(summary.completed, summary.total - closed),
        avgTurnaround: round1(summary.avgTurnaround),
        p90Turnaround: round1(summary.p90Turnaround),
        onTimeRate: ratio(summary.onTime, summary.reported),
        satisfaction: round1(sat.score),
        evaluations: sat.evaluations,
        enterprises: summary.enterprises,
        open: summary.open,
        overdue: load.reduce((s, r) => s + r.overdue, 0),
      };

      const loadByNode = new Map<number, Map<string, number>>();
      const overdueByNode = new Map<number, number>();
      for (const r of load) {
        if (!loadByNode.has(r.nodeId)) loadByNode.set(r.nodeId, new Map());
        loadByNode.get(r.nodeId)!.set(r.status, r.n);
        overdueByNode.set(r.nodeId, (overdueByNode.get(r.nodeId) ?? 0) + r.overdue);
      }
      const nodesShown = scope.kind === 'park' ? nodes.filter((n) => n.total > 0 || loadByNode.has(n.nodeId)) : nodes;

      const tables: Record<string, Table> = {
        months: {
          key: 'months',
          title: '按月预约量',
          columns: [
            { key: 'month', label: '月份' },
            { key: 'total', label: '预约数', format: 'int' },
            { key: 'completed', label: '已办结', format: 'int' },
          ],
          rows: months,
        },
        categories: {
          key: 'categories',
          title: '按服务类别',
          columns: [
            { key: 'name', label: '类别' },
            { key: 'total', label: '预约数', format: 'int' },
            { key: 'completed', label: '已办结', format: 'int' },
          ],
          rows: categories,
        },
        parks: {
          key: 'parks',
          title: '按园区',
          columns: [
            { key: 'name', label: '园区' },
            { key: 'total', label: '预约数', format: 'int' },
            { key: 'enterprises', label: '服务企业数', format: 'int' },
          ],
          rows: parks,
        },
        services: {
          key: 'services',
          title: '热门服务 Top 10',
          columns: [
            { key: 'code', label: '编号' },
            { key: 'name', label: '服务' },
            { key: 'total', label: '预约数', format: 'int' },
          ],
          rows: services,
        },
        nodes: {
          key: 'nodes',
          title: '网点对比',
          columns: [
            { key: 'name', label: '网点' },
            { key: 'total', label: '预约数', format: 'int' },
            { key: 'completed', label: '已办结', format: 'int' },
            { key: 'completionRate', label: '办结率', format: 'percent' },
            { key: 'avgTurnaround', label: '平均办理时长（工作日）', format: 'decimal' },
            { key: 'onTimeRate', label: '按期率', format: 'percent' },
            { key: 'satisfaction', label: '满意度（0–100）', format: 'decimal' },
            { key: 'open', label: '当前在办', format: 'int' },
            { key: 'overdue', label: '超期', format: 'int' },
          ],
          rows: nodesShown.map((n) => ({
            name: n.active ? n.name : `${n.name}（已停用）`,
            total: n.total,
            completed: n.completed,
            completionRate: ratio(n.completed, n.total - n.closedWithout),
            avgTurnaround: round1(n.avgTurnaround),
            onTimeRate: ratio(n.onTime, n.reported),
            satisfaction: round1(n.satisfaction),
            open: [...(loadByNode.get(n.nodeId)?.values() ?? [])].reduce((a, b) => a + b, 0),
            overdue: overdueByNode.get(n.nodeId) ?? 0,
          })),
        },
        load: {
          key: 'load',
          title: '当前各网点在办（按阶段）',
          columns: [{ key: 'name', label: '网点' }, ...LOAD_STAGES.map((s, i) => ({ key: `s${i}`, label: s.label, format: 'int' as const })), { key: 'overdue', label: '其中超期', format: 'int' }],
          rows: nodesShown
            .filter((n) => loadByNode.has(n.nodeId) || scope.kind === 'node')
            .map((n) => ({
              name: n.shortName,
              ...Object.fromEntries(LOAD_STAGES.map((s, i) => [`s${i}`, s.statuses.reduce((sum, st) => sum + (loadByNode.get(n.nodeId)?.get(st) ?? 0), 0)])),
              overdue: overdueByNode.get(n.nodeId) ?? 0,
            })),
        },
        satisfaction: {
          key: 'satisfaction',
          title: '满意度评价分布',
          columns: [
            { key: 'level', label: '评价' },
            { key: 'count', label: '条数', format: 'int' },
          ],
          rows: ['非常满意', '满意', '基本满意', '不满意', '非常不满意'].map((level, i) => ({ level, count: sat.levels[i] ?? 0 })),
        },
      };
      if (enterprises) {
        tables.enterprises = {
          key: 'enterprises',
          title: '园区企业',
          columns: [
            { key: 'name', label: '企业' },
            { key: 'creditCode', label: '统一社会信用代码' },
            { key: 'bookings', label: '累计预约', format: 'int' },
            { key: 'lastBooking', label: '最近预约' },
          ],
          rows: enterprises.map((e) => ({ name: e.active ? e.name : `${e.name}（已停用）`, creditCode: e.creditCode, bookings: e.bookings, lastBooking: e.lastBooking })),
        };
      }
      return { scope, scopeLabel: label, period, figures, tables, statusLabels: STATUS_LABELS, computedAt: clock.now() };
  }
}

export type StatsService = ReturnType<typeof makeStatsService>;
