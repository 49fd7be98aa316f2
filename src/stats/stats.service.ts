import type { Principal } from '../auth/access.js';
import { TtlCache } from '../shared/cache.js';
import { computeDashboard, scopeFor, type Dashboard, type StatsDeps } from './dashboard.js';
import { periodOf, type PeriodQuery } from './period.js';

export type { PeriodPreset } from './period.js';

/** The statistics' face: the period of a query and the dashboard of the user's scope (dashboard.ts, tables.ts). */
export function makeStatsService(deps: StatsDeps & { cacheMs?: number }) {
  // A dashboard is a dozen aggregations; administrators reload it and export its tables. Its figures are kept for a
  // minute per scope and period by default (DASHBOARD_CACHE_SECONDS; the page says how often they are renewed), so
  // the exports match the page they came from.
  const cacheMs = deps.cacheMs ?? 60_000;
  const cache = new TtlCache<Dashboard>(cacheMs, 200);
  return {
    periodOf: (query: PeriodQuery) => periodOf(deps.clock, query),

    /** Every figure and table of the dashboard for the user's scope and a period. */
    async dashboard(user: Principal, query: PeriodQuery): Promise<Dashboard & { refreshSeconds: number }> {
      const { scope, label } = await scopeFor(deps, user);
      const period = periodOf(deps.clock, query);
      const dashboard = await cache.get(`${JSON.stringify(scope)}|${period.from}|${period.to}`, () => computeDashboard(deps, scope, label, period));
      return { ...dashboard, refreshSeconds: Math.round(cacheMs / 1000) };
    },
  };
}

export type StatsService = ReturnType<typeof makeStatsService>;
