import { and, asc, eq, sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../db/client.js';
import { enterprises, instrumentCategories, instruments, parks } from '../db/schema.js';
import { addDays } from '../shared/time.js';

export interface Figures {
  total: number;
  due30: number;
  overdue: number;
  failed: number;
  noDue: number;
}

export type CompanyCompliance = Figures & { id: number; name: string; parkId: number | null };
export type ParkCompliance = Figures & { parkId: number | null; withLedger: number };

/**
 * 强检 figures — in-use compulsory instruments, due within 30 days, overdue, failed (不合格) still in use, without a
 * due date — per park, and one page of companies ranked by overdue instruments, overdue rate, size. One statement:
 * the instruments are aggregated once per company over the partial covering index (compulsory, in use), then both
 * the park totals and the ranked page are read from that (sorting in the database, not in the app).
 */
export async function complianceFigures(ex: Executor, today: string, opts: { parkId?: number; limit: number; offset: number }) {
  const inPark = opts.parkId === undefined ? sql`` : sql`AND i.enterprise_id IN (SELECT id FROM enterprises WHERE park_id = ${opts.parkId})`;
  const result = await ex.execute(sql`
    WITH agg AS MATERIALIZED (
      SELECT i.enterprise_id,
             count(*)::int AS total,
             count(*) FILTER (WHERE i.next_due_date BETWEEN ${today}::date AND ${addDays(today, 30)}::date)::int AS due30,
             count(*) FILTER (WHERE i.next_due_date < ${today}::date)::int AS overdue,
             count(*) FILTER (WHERE i.conclusion = 'fail')::int AS failed,
             count(*) FILTER (WHERE i.next_due_date IS NULL)::int AS no_due
      FROM instruments i
      WHERE i.compulsory AND i.status = 'in_use' ${inPark}
      GROUP BY i.enterprise_id),
    joined AS MATERIALIZED (SELECT a.*, e.name, e.park_id FROM agg a JOIN enterprises e ON e.id = a.enterprise_id)
    SELECT
      (SELECT coalesce(json_agg(p), '[]') FROM (
         SELECT park_id AS "parkId", count(*)::int AS "withLedger", sum(total)::int AS total, sum(due30)::int AS due30,
                sum(overdue)::int AS overdue, sum(failed)::int AS failed, sum(no_due)::int AS "noDue"
         FROM joined GROUP BY park_id) p) AS parks,
      (SELECT coalesce(json_agg(c), '[]') FROM (
         SELECT enterprise_id AS id, name, park_id AS "parkId", total, due30, overdue, failed, no_due AS "noDue"
         FROM joined ORDER BY overdue DESC, overdue::float8 / total DESC, total DESC, enterprise_id
         LIMIT ${opts.limit} OFFSET ${opts.offset}) c) AS page`);
  const [row] = rowsOf<{ parks: ParkCompliance[] | string; page: CompanyCompliance[] | string }>(result);
  // node-postgres parses json; PGlite may hand it over as text
  const parse = <T>(v: T[] | string): T[] => (typeof v === 'string' ? (JSON.parse(v) as T[]) : v);
  return { parks: parse(row!.parks), page: parse(row!.page) };
}

/** Companies per park (active ones), to say how many have not registered any 强检 instrument. */
export async function companiesPerPark(ex: Executor) {
  const rows = await ex
    .select({ parkId: enterprises.parkId, n: sql<number>`count(*)::int` })
    .from(enterprises)
    .where(eq(enterprises.active, true))
    .groupBy(enterprises.parkId);
  return rows;
}

export async function parkList(ex: Executor) {
  return ex.select({ id: parks.id, name: parks.name }).from(parks).orderBy(asc(parks.id));
}

/** One company's in-use 强检 instruments, most urgent first. */
export async function compulsoryInstrumentsOf(ex: Executor, enterpriseId: number) {
  return ex
    .select({
      id: instruments.id,
      name: instruments.name,
      categoryName: instrumentCategories.name,
      serialNo: instruments.serialNo,
      department: instruments.department,
      location: instruments.location,
      compulsoryUse: instruments.compulsoryUse,
      regime: instruments.regime,
      lastCalibrationDate: instruments.lastCalibrationDate,
      certificateNo: instruments.certificateNo,
      conclusion: instruments.conclusion,
      nextDueDate: instruments.nextDueDate,
      status: instruments.status,
    })
    .from(instruments)
    .innerJoin(instrumentCategories, eq(instrumentCategories.code, instruments.categoryCode))
    .where(and(eq(instruments.enterpriseId, enterpriseId), eq(instruments.compulsory, true), eq(instruments.status, 'in_use')))
    .orderBy(sql`${instruments.nextDueDate} ASC NULLS FIRST`, asc(instruments.id))
    .limit(5000);
}

export async function companyOf(ex: Executor, id: number) {
  const rows = await ex.select({ id: enterprises.id, name: enterprises.name, parkId: enterprises.parkId, parkName: parks.name, address: enterprises.address }).from(enterprises).leftJoin(parks, eq(parks.id, enterprises.parkId)).where(eq(enterprises.id, id));
  return rows[0];
}
