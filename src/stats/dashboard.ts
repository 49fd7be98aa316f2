import { assertCan, type Principal } from '../auth/access.js';
import { findNode, listParks } from '../catalog/catalog.repo.js';
import type { Db } from '../db/client.js';
import { NotFoundError } from '../shared/errors.js';
import { shanghaiDate, type Clock } from '../shared/time.js';
import type { Table } from './export.js';
import type { DashboardPeriod } from './period.js';
import * as repo from './stats.repo.js';
import { kpiLinks, linkRows, loadLinks } from './drill.js';
import { categoriesTable, enterprisesTable, feesTable, loadTable, monthsTable, nodeLoad, nodesTable, parksTable,
  channelsTable, ratio, round1, satisfactionTable, servicesTable } from './tables.js';

export interface StatsDeps {
  db: Db;
  clock: Clock;
}

/** Whose figures a user sees: the whole network, the park's companies, or the node. */
export async function scopeFor(deps: StatsDeps, user: Principal): Promise<{ scope: repo.StatsScope; label: string }> {
  assertCan(user, 'stats.read');
  if (user.role === 'platform_admin') return { scope: { kind: 'platform' }, label: '全市“1+N”网络' };
  if (user.role === 'park_admin') {
    const park = (await listParks(deps.db)).find((p) => p.id === user.parkId);
    if (!park) throw new NotFoundError();
    return { scope: { kind: 'park', parkId: park.id }, label: `${park.name}企业` };
  }
  const node = await findNode(deps.db, user.nodeId);
  if (!node) throw new NotFoundError();
  return { scope: { kind: 'node', nodeId: node.id }, label: node.name };
}

/** Every query of a dashboard. Sequential on purpose: on PGlite queries run one at a time anyway; on PostgreSQL each is one round trip. */
async function readFigures(deps: StatsDeps, scope: repo.StatsScope, period: DashboardPeriod) {
  const { db } = deps;
  const summary = await repo.summary(db, scope, period);
  const months = await repo.byMonth(db, scope, period);
  const categories = await repo.byCategory(db, scope, period);
  const parks = await repo.byPark(db, scope, period);
  const channels = await repo.byChannel(db, scope, period);
  const services = await repo.topServices(db, scope, period);
  const nodes = await repo.nodeFigures(db, scope, period);
  const satisfaction = await repo.satisfaction(db, scope, period);
  const load = await repo.loadNow(db, scope, shanghaiDate(deps.clock.now()));
  const fees = await repo.feeTotals(db, scope, period);
  const enterprises = scope.kind === 'park' ? await repo.parkEnterprises(db, scope.parkId) : undefined;
  return { summary, months, categories, parks, channels, services, nodes, satisfaction, load, fees, enterprises };
}

type Figures = Awaited<ReturnType<typeof readFigures>>;

/** The key figures at the top of the page. */
function headline({ summary, satisfaction, load, fees }: Figures) {
  const closed = summary.cancelled + summary.rejected;
  return {
    total: summary.total,
    completed: summary.completed,
    completionRate: ratio(summary.completed, summary.total - closed),
    avgTurnaround: round1(summary.avgTurnaround),
    p90Turnaround: round1(summary.p90Turnaround),
    onTimeRate: ratio(summary.onTime, summary.reported),
    satisfaction: round1(satisfaction.score),
    evaluations: satisfaction.evaluations,
    enterprises: summary.enterprises,
    open: summary.open,
    overdue: load.reduce((s, r) => s + r.overdue, 0),
    /** Fees of the period in yuan: confirmed by the labs, and paid. */
    feesConfirmed: fees.reduce((s, r) => s + r.confirmed, 0) / 100,
    feesPaid: fees.reduce((s, r) => s + r.paid, 0) / 100,
  };
}

/** Every table of the page, keyed as the export links name them. */
function tablesOf(scope: repo.StatsScope, figures: Figures): Record<string, Table> {
  const load = nodeLoad(figures.load);
  // A park's dashboard lists only the nodes its companies used.
  const nodes = scope.kind === 'park' ? figures.nodes.filter((n) => n.total > 0 || load.byStatus.has(n.nodeId)) : figures.nodes;
  const tables: Record<string, Table> = {
    months: monthsTable(figures.months),
    categories: categoriesTable(figures.categories),
    parks: parksTable(figures.parks),
    channels: channelsTable(figures.channels),
    services: servicesTable(figures.services),
    nodes: nodesTable(nodes, load),
    load: loadTable(nodes, load, scope.kind === 'node'),
    satisfaction: satisfactionTable(figures.satisfaction.levels),
    fees: feesTable(figures.fees),
  };
  if (figures.enterprises) tables.enterprises = enterprisesTable(figures.enterprises);
  return tables;
}

/** Every figure and table of a dashboard for a scope and a period. */
export async function computeDashboard(deps: StatsDeps, scope: repo.StatsScope, scopeLabel: string, period: DashboardPeriod) {
  const figures = await readFigures(deps, scope, period);
  const tables = tablesOf(scope, figures);
  linkRows(tables, period);
  return { scope, scopeLabel, period, figures: headline(figures), tables, links: { kpi: kpiLinks(period), load: loadLinks(tables.load!) }, computedAt: deps.clock.now() };
}

export type Dashboard = Awaited<ReturnType<typeof computeDashboard>>;
