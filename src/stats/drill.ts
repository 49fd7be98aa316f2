import { oversightHref } from '../bookings/bookings.view.js';
import { lastDayOfMonth } from '../shared/time.js';
import type { Table } from './export.js';
import type { DashboardPeriod } from './period.js';
import { LOAD_STAGES } from './tables.js';

/*
 * Drill-down: every figure, bar and table row of a dashboard leads to the bookings behind it (/admin/bookings with
 * the same filters, so the list's total is the number clicked). Figures of the period carry its dates; the load
 * "now" (open work, overdue) does not.
 */

export type Drill = Record<string, string | number | null | undefined>;

const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

/** The first and last day of a month ("2026-03") inside the period. */
function monthOf(month: string, period: DashboardPeriod): Drill {
  const first = `${month}-01`;
  const last = lastDayOfMonth(month);
  return { from: first < period.from ? period.from : first, to: last > period.to ? period.to : last };
}

/** Per table, the filter a row stands for. */
const ROW_FILTERS: Record<string, (row: Table['rows'][number], period: DashboardPeriod) => Drill | undefined> = {
  months: (r, p) => monthOf(String(r.month), p),
  categories: (r) => ({ category: text(r.code) }),
  parks: (r) => ({ park: r.parkId === null ? 'none' : text(r.parkId) }),
  services: (r) => ({ service: text(r.code) }),
  nodes: (r) => ({ node: text(r.nodeId) }),
  channels: (r) => ({ node: text(r.nodeId) }),
  satisfaction: (r) => ({ level: text(r.levelValue) }),
  fees: (r) => (r.nodeId ? { node: text(r.nodeId) } : {}),
};

/** The period as list filters. */
export const periodDrill = (period: DashboardPeriod): Drill => ({ from: period.from, to: period.to });

/** Adds `_link` to each row of the dashboard's tables (not a column: exports leave it out). */
export function linkRows(tables: Record<string, Table>, period: DashboardPeriod): void {
  for (const table of Object.values(tables)) {
    for (const row of table.rows) {
      if (table.key === 'load') row._link = oversightHref({ node: text(row.nodeId), status: 'open' });
      else if (table.key === 'enterprises') row._link = oversightHref({ enterprise: text(row.id) });
      else {
        const filter = ROW_FILTERS[table.key]?.(row, period);
        if (filter) row._link = oversightHref({ ...periodDrill(period), ...filter });
      }
    }
  }
}

/** The load chart's bars: one link per stage (series) and node (category). */
export function loadLinks(load: Table): string[][] {
  return LOAD_STAGES.map((stage) => load.rows.map((r) => oversightHref({ node: text(r.nodeId), status: stage.statuses.join(',') })));
}

/** The key figures' lists. */
export function kpiLinks(period: DashboardPeriod) {
  const inPeriod = (filter: Drill = {}) => oversightHref({ ...periodDrill(period), ...filter });
  return {
    total: inPeriod(),
    completed: inPeriod({ status: 'completed' }),
    finished: inPeriod({ status: 'finished' }),
    evaluated: inPeriod({ level: '0' }),
    open: oversightHref({ status: 'open' }),
    overdue: oversightHref({ status: 'overdue' }),
  };
}
