import type { Response } from 'express';
import type { Dashboard } from '../stats/dashboard.js';

/**
 * The figures section of the dashboard (KPIs, charts and tables: `views/admin/_figures.ejs`) as HTML, rendered once per
 * computed dashboard and period query and reused while the statistics service keeps that dashboard (a minute by
 * default): rendering its dozen tables was a third of the page's CPU. Keyed by the cached dashboard's tables object,
 * so renewed figures are rendered anew and a dropped dashboard's HTML goes with it. Nothing in the section depends
 * on who is looking (the scope is part of the dashboard) or on the request beyond its period query.
 */
const MAX_QUERIES_PER_DASHBOARD = 8;
const renderedFor = new WeakMap<object, Map<string, Promise<string>>>();

export function figuresHtml(res: Response, dashboard: Pick<Dashboard, 'tables'>, page: { query: object } & Record<string, unknown>): Promise<string> {
  const render = () =>
    new Promise<string>((resolve, reject) => {
      res.render('admin/_figures', { ...page, layout: false }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
    });
  let byQuery = renderedFor.get(dashboard.tables);
  if (!byQuery) {
    byQuery = new Map();
    renderedFor.set(dashboard.tables, byQuery);
  }
  const key = JSON.stringify(page.query);
  let html = byQuery.get(key);
  // Queries that name the same period in other words (a preset, its dates) are few; beyond a handful, render anew.
  if (!html && byQuery.size >= MAX_QUERIES_PER_DASHBOARD) return render();
  if (!html) {
    html = render();
    byQuery.set(key, html);
    html.catch(() => byQuery.delete(key));
  }
  return html;
}
