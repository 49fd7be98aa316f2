import { closuresInRange } from '../capacity/capacity.repo.js';
import { datesInRange, dayInfo } from '../calendar/workdays.js';
import type { Db } from '../db/client.js';
import { addDays, instantOf } from '../shared/time.js';
import type { Period, StatsScope } from '../stats/stats.repo.js';
import type { Table } from '../stats/export.js';
import { USER_CATEGORY_LABELS, type UserCategory } from './domain.js';
import * as repo from './equipment.repo.js';
import { minutesOf } from './time-rules.js';
import * as usage from './usage.repo.js';

/*
 * Utilisation — the figure sharing programmes are judged by: per instrument, the hours it was open (the node's working
 * days × its opening hours, less maintenance inside them), the hours booked and the hours actually used; the same per
 * node, and bookings by user category and by park.
 */

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const round1 = (n: number) => Math.round(n * 10) / 10;
const yuan = (cents: number) => Math.round(cents) / 100;

export interface InstrumentUtilisation {
  equipmentId: number;
  code: string;
  name: string;
  category: string;
  nodeId: number;
  nodeName: string;
  openHours: number;
  maintenanceHours: number;
  bookings: number;
  bookedHours: number;
  usedHours: number;
  noShows: number;
  amountCents: number;
  bookingRate: number | null;
  utilisation: number | null;
}

type Block = { startsAt: Date; endsAt: Date };

/** Open minutes of one instrument over working dates, less maintenance blocks inside its opening hours. */
function openMinutes(e: { openFrom: string; openUntil: string }, workingDates: string[], blocks: Block[]): { open: number; maintenance: number } {
  const daily = minutesOf(e.openUntil) - minutesOf(e.openFrom);
  let maintenance = 0;
  for (const date of workingDates) {
    const from = instantOf(date, e.openFrom).getTime();
    const until = instantOf(date, e.openUntil).getTime();
    for (const b of blocks) maintenance += Math.max(0, Math.min(until, b.endsAt.getTime()) - Math.max(from, b.startsAt.getTime())) / 60_000;
  }
  return { open: workingDates.length * daily - maintenance, maintenance };
}

/** Every listed instrument of the scope with its figures for the period (up to `until`, normally today). */
export async function instrumentUtilisation(db: Db, period: Period, scope: StatsScope, until: string): Promise<InstrumentUtilisation[]> {
  const to = period.to < until ? period.to : until;
  const instruments = (await repo.listManagedEquipment(db, scope.kind === 'node' ? scope.nodeId : null)).filter((e) => e.review === 'approved');
  const figures = new Map((await usage.instrumentFigures(db, period.start, period.end, scope)).map((f) => [f.equipmentId, f]));
  const blocks = await usage.maintenanceBlocks(db, period.start, instantOf(addDays(to, 1), '00:00'));
  const nodeIds = [...new Set(instruments.map((e) => e.nodeId))];
  const closures = to >= period.from ? await closuresInRange(db, nodeIds, period.from, to) : [];
  const dates = to >= period.from ? datesInRange(period.from, to) : [];
  const workingOf = new Map(nodeIds.map((id) => [id, dates.filter((d) => dayInfo(d).working && !closures.some((c) => c.nodeId === id && c.startDate <= d && c.endDate >= d))]));
  return instruments
    .filter((e) => e.status !== 'retired' || figures.has(e.id))
    .map((e) => {
      const f = figures.get(e.id) ?? { bookings: 0, bookedHours: 0, usedHours: 0, noShows: 0, amountCents: 0 };
      const own = blocks.filter((b) => b.equipmentId === e.id).map((b) => ({ startsAt: new Date(b.startsAt), endsAt: new Date(b.endsAt) }));
      const minutes = e.status === 'retired' ? { open: 0, maintenance: 0 } : openMinutes(e, workingOf.get(e.nodeId) ?? [], own);
      const openHours = minutes.open / 60;
      return {
        equipmentId: e.id,
        code: e.code,
        name: e.name,
        category: e.category,
        nodeId: e.nodeId,
        nodeName: e.nodeShortName,
        openHours: round1(openHours),
        maintenanceHours: round1(minutes.maintenance / 60),
        bookings: f.bookings,
        bookedHours: round1(f.bookedHours),
        usedHours: round1(f.usedHours),
        noShows: f.noShows,
        amountCents: f.amountCents,
        bookingRate: ratio(f.bookedHours, openHours),
        utilisation: ratio(f.usedHours, openHours),
      };
    });
}

type Group = Awaited<ReturnType<typeof usage.figuresBy>>[number];

/** Bookings, organisations and hours of a grouping (user category or park), one row per group. */
function groupTable(key: string, title: string, first: string, groups: Group[], nameOf: (g: Group) => string, withAmount: boolean): Table {
  return {
    key,
    title,
    columns: [
      { key: 'name', label: first },
      { key: 'bookings', label: '预约次数', format: 'int' },
      { key: 'companies', label: '单位数', format: 'int' },
      { key: 'bookedHours', label: '预约机时（小时）', format: 'decimal' },
      { key: 'usedHours', label: '使用机时（小时）', format: 'decimal' },
      ...(withAmount ? [{ key: 'amount', label: '收费（元）' }] : []),
    ],
    rows: groups.map((g) => ({ name: nameOf(g), bookings: g.bookings, companies: g.companies, bookedHours: round1(g.bookedHours), usedHours: round1(g.usedHours), amount: yuan(g.amountCents) })),
  };
}

/** One row per instrument; a park's view has no open hours (the instruments are not the park's). */
function instrumentsTable(rows: InstrumentUtilisation[], perPark: boolean): Table {
  const opening = perPark ? [] : [{ key: 'openHours', label: '开放机时（小时）', format: 'decimal' as const }, { key: 'maintenanceHours', label: '维护（小时）', format: 'decimal' as const }];
  const rates = perPark ? [] : [{ key: 'bookingRate', label: '预约率', format: 'percent' as const }, { key: 'utilisation', label: '利用率', format: 'percent' as const }];
  return {
    key: 'instruments',
    title: '各设备机时利用',
    columns: [
      { key: 'name', label: '设备' },
      { key: 'code', label: '资产编号' },
      { key: 'node', label: '网点' },
      ...opening,
      { key: 'bookedHours', label: '预约机时（小时）', format: 'decimal' },
      { key: 'usedHours', label: '使用机时（小时）', format: 'decimal' },
      ...rates,
      { key: 'bookings', label: '预约次数', format: 'int' },
      { key: 'noShows', label: '爽约', format: 'int' },
      { key: 'amount', label: '收费（元）' },
    ],
    rows: rows.map((i) => ({ name: i.name, code: i.code, node: i.nodeName, openHours: i.openHours, maintenanceHours: i.maintenanceHours, bookedHours: i.bookedHours, usedHours: i.usedHours, bookingRate: i.bookingRate, utilisation: i.utilisation, bookings: i.bookings, noShows: i.noShows, amount: yuan(i.amountCents) })),
  };
}

type NodeSum = { name: string; instruments: number; open: number; booked: number; used: number; bookings: number };

function sumByNode(instruments: InstrumentUtilisation[]): NodeSum[] {
  const nodes = new Map<number, NodeSum>();
  for (const i of instruments) {
    const n = nodes.get(i.nodeId) ?? { name: i.nodeName, instruments: 0, open: 0, booked: 0, used: 0, bookings: 0 };
    n.instruments++;
    n.open += i.openHours;
    n.booked += i.bookedHours;
    n.used += i.usedHours;
    n.bookings += i.bookings;
    nodes.set(i.nodeId, n);
  }
  return [...nodes.values()];
}

function nodesTable(nodes: NodeSum[]): Table {
  return {
    key: 'nodes',
    title: '各网点机时利用',
    columns: [
      { key: 'name', label: '网点' },
      { key: 'instruments', label: '共享设备（台）', format: 'int' },
      { key: 'open', label: '开放机时（小时）', format: 'decimal' },
      { key: 'booked', label: '预约机时（小时）', format: 'decimal' },
      { key: 'used', label: '使用机时（小时）', format: 'decimal' },
      { key: 'bookingRate', label: '预约率', format: 'percent' },
      { key: 'utilisation', label: '利用率', format: 'percent' },
    ],
    rows: nodes.map((n) => ({ name: n.name, instruments: n.instruments, open: round1(n.open), booked: round1(n.booked), used: round1(n.used), bookingRate: ratio(n.booked, n.open), utilisation: ratio(n.used, n.open) })),
  };
}

/** The dashboard's figures and tables for a scope and period (each table exportable as CSV/XLSX). */
export async function utilisationTables(db: Db, period: Period, scope: StatsScope, until: string, parkNames: Map<number, string>) {
  const instruments = await instrumentUtilisation(db, period, scope, until);
  const byCategory = await usage.figuresBy(db, period.start, period.end, scope, 'category');
  const byPark = await usage.figuresBy(db, period.start, period.end, scope, 'park');
  const perPark = scope.kind === 'park';
  const nodes = sumByNode(instruments);
  const totals = nodes.reduce((t, n) => ({ open: t.open + n.open, booked: t.booked + n.booked, used: t.used + n.used, bookings: t.bookings + n.bookings }), { open: 0, booked: 0, used: 0, bookings: 0 });
  const tables: Record<string, Table> = {
    instruments: instrumentsTable(perPark ? instruments.filter((i) => i.bookings > 0) : instruments, perPark),
    categories: groupTable('categories', '按用户类别', '用户类别', byCategory, (g) => USER_CATEGORY_LABELS[g.key as UserCategory] ?? String(g.key), true),
    parks: groupTable('parks', '按园区（预约单位所在园区）', '园区', byPark, (g) => (g.key === null ? '不在园区' : (parkNames.get(Number(g.key)) ?? '—')), false),
  };
  if (!perPark) tables.nodes = nodesTable(nodes);
  return { tables, figures: { instruments: instruments.length, openHours: round1(totals.open), bookedHours: round1(totals.booked), usedHours: round1(totals.used), bookings: totals.bookings, bookingRate: ratio(totals.booked, totals.open), utilisation: ratio(totals.used, totals.open) } };
}
