import { EVALUATION_LEVELS } from '../bookings/bookings.schemas.js';
import type { BookingStatus } from '../bookings/lifecycle.js';
import { isOpen } from '../bookings/lifecycle.js';
import { QUEUE_TABS } from '../lab/lab.view.js';
import type { Column, Table } from './export.js';
import type * as repo from './stats.repo.js';

/*
 * The dashboard's tables: each a title, its columns and its rows, drawn on the page (with a chart above it) and
 * exported as CSV and Excel exactly as shown.
 */

type Rows<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

/** The stages of open work, as the lab's queue tabs name them (one list for the queue and the statistics). */
export const LOAD_STAGES = QUEUE_TABS.filter((tab) => tab.statuses.every(isOpen));

/** The five evaluation levels, best first (the order of the satisfaction query's counts). */
const LEVELS_BEST_FIRST = [5, 4, 3, 2, 1] as const;

export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
export const round1 = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);

const text = (key: string, label: string): Column => ({ key, label });
const int = (key: string, label: string): Column => ({ key, label, format: 'int' });

/** Open bookings now, per node: by state, and how many of them are overdue. */
export interface NodeLoad {
  byStatus: Map<number, Map<BookingStatus, number>>;
  overdue: Map<number, number>;
}

export function nodeLoad(load: Rows<typeof repo.loadNow>): NodeLoad {
  const byStatus = new Map<number, Map<BookingStatus, number>>();
  const overdue = new Map<number, number>();
  for (const r of load) {
    const states = byStatus.get(r.nodeId) ?? new Map<BookingStatus, number>();
    states.set(r.status, r.n);
    byStatus.set(r.nodeId, states);
    overdue.set(r.nodeId, (overdue.get(r.nodeId) ?? 0) + r.overdue);
  }
  return { byStatus, overdue };
}

const openOf = (load: NodeLoad, nodeId: number) => [...(load.byStatus.get(nodeId)?.values() ?? [])].reduce((a, b) => a + b, 0);

export function monthsTable(rows: Rows<typeof repo.byMonth>): Table {
  return { key: 'months', title: '按月预约量', columns: [text('month', '月份'), int('total', '预约数'), int('completed', '已办结')], rows };
}

export function categoriesTable(rows: Rows<typeof repo.byCategory>): Table {
  return { key: 'categories', title: '按服务类别', columns: [text('name', '类别'), int('total', '预约数'), int('completed', '已办结')], rows };
}

export function channelsTable(rows: Rows<typeof repo.byChannel>): Table {
  return { key: 'channels', title: '按受理渠道', columns: [text('name', '网点'), int('online', '线上'), int('window', '线下窗口'), int('api', '接口'), int('total', '合计')], rows };
}

export function parksTable(rows: Rows<typeof repo.byPark>): Table {
  return { key: 'parks', title: '按园区', columns: [text('name', '园区'), int('total', '预约数'), int('enterprises', '服务企业数')], rows };
}

export function servicesTable(rows: Rows<typeof repo.topServices>): Table {
  return { key: 'services', title: '热门服务 Top 10', columns: [text('code', '编号'), text('name', '服务'), int('total', '预约数')], rows };
}

const NODE_COLUMNS: Column[] = [
  text('name', '网点'),
  int('total', '预约数'),
  int('completed', '已办结'),
  { key: 'completionRate', label: '办结率', format: 'percent' },
  { key: 'avgTurnaround', label: '平均办理时长（工作日）', format: 'decimal' },
  { key: 'onTimeRate', label: '按期率', format: 'percent' },
  { key: 'satisfaction', label: '满意度（0–100）', format: 'decimal' },
  int('open', '当前在办'),
  int('overdue', '超期'),
];

/** Each node's figures of the period next to its load now. */
export function nodesTable(nodes: Rows<typeof repo.nodeFigures>, load: NodeLoad): Table {
  return {
    key: 'nodes',
    title: '网点对比',
    columns: NODE_COLUMNS,
    rows: nodes.map((n) => ({
      nodeId: n.nodeId,
      name: n.active ? n.name : `${n.name}（已停用）`,
      total: n.total,
      completed: n.completed,
      completionRate: ratio(n.completed, n.total - n.closedWithout),
      avgTurnaround: round1(n.avgTurnaround),
      onTimeRate: ratio(n.onTime, n.reported),
      satisfaction: round1(n.satisfaction),
      open: openOf(load, n.nodeId),
      overdue: load.overdue.get(n.nodeId) ?? 0,
    })),
  };
}

/** The open work of each node with any (a node's own dashboard always shows its row), by stage. */
export function loadTable(nodes: Rows<typeof repo.nodeFigures>, load: NodeLoad, ownNode: boolean): Table {
  return {
    key: 'load',
    title: '当前各网点在办（按阶段）',
    columns: [text('name', '网点'), ...LOAD_STAGES.map((stage, i) => int(`s${i}`, stage.label)), int('overdue', '其中超期')],
    rows: nodes
      .filter((n) => load.byStatus.has(n.nodeId) || ownNode)
      .map((n) => ({
        nodeId: n.nodeId,
        name: n.shortName,
        ...Object.fromEntries(LOAD_STAGES.map((stage, i) => [`s${i}`, stage.statuses.reduce((sum, st) => sum + (load.byStatus.get(n.nodeId)?.get(st) ?? 0), 0)])),
        overdue: load.overdue.get(n.nodeId) ?? 0,
      })),
  };
}

export function satisfactionTable(levels: number[]): Table {
  return {
    key: 'satisfaction',
    title: '满意度评价分布',
    columns: [text('level', '评价'), int('count', '条数')],
    rows: LEVELS_BEST_FIRST.map((level, i) => ({ levelValue: level, level: EVALUATION_LEVELS[level], count: levels[i] ?? 0 })),
  };
}

export function enterprisesTable(rows: Rows<typeof repo.parkEnterprises>): Table {
  return {
    key: 'enterprises',
    title: '园区企业',
    columns: [text('name', '企业'), text('creditCode', '统一社会信用代码'), int('bookings', '累计预约'), text('lastBooking', '最近预约')],
    rows: rows.map((e) => ({ id: e.id, name: e.active ? e.name : `${e.name}（已停用）`, creditCode: e.creditCode, bookings: e.bookings, lastBooking: e.lastBooking })),
  };
}

const yuan = (key: string, label: string): Column => ({ key, label, format: 'yuan' });

/** Fees per node of the period (amounts in yuan), with the total. */
export function feesTable(rows: Rows<typeof repo.feeTotals>): Table {
  const toYuan = (cents: number) => Math.round(cents) / 100;
  const sum = (key: 'bookings' | 'estimate' | 'confirmed' | 'paid' | 'unpaid') => rows.reduce((s, r) => s + r[key], 0);
  const line = (r: { bookings: number; estimate: number; confirmed: number; paid: number; unpaid: number }) => ({ bookings: r.bookings, estimate: toYuan(r.estimate), confirmed: toYuan(r.confirmed), paid: toYuan(r.paid), unpaid: toYuan(r.unpaid) });
  return {
    key: 'fees',
    title: '收费统计（按网点）',
    columns: [text('name', '网点'), int('bookings', '预约数'), yuan('estimate', '预估金额（元）'), yuan('confirmed', '核定金额（元）'), yuan('paid', '已缴金额（元）'), yuan('unpaid', '核定未缴（元）')],
    rows: [
      ...rows.map((r) => ({ nodeId: r.nodeId, name: r.name, ...line(r) })),
      ...(rows.length > 1 ? [{ name: '合计', ...line({ bookings: sum('bookings'), estimate: sum('estimate'), confirmed: sum('confirmed'), paid: sum('paid'), unpaid: sum('unpaid') }) }] : []),
    ],
  };
}
